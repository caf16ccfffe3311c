"""pyspf as an independent SPF implementation for the tests.

pyspf.py PORT < cases: each line "IP SENDER HELO" (SENDER '-' for the HELO identity); prints one result per line.
"""
import sys
import dns.resolver
import spf

resolver = dns.resolver.Resolver(configure=False)
resolver.nameservers = ['127.0.0.1']
resolver.port = int(sys.argv[1])
resolver.lifetime = 3
dns.resolver.default_resolver = resolver

for line in sys.stdin:
    ip, sender, helo = line.split()
    if sender == '-':
        sender = 'postmaster@' + helo
    result, _explanation = spf.check2(i=ip, s=sender, h=helo, timeout=5)
    print(result)
