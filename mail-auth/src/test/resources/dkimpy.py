"""dkimpy as an independent DKIM implementation for the tests.

verify MESSAGE NAME TXT      -> prints pass/fail; the key record TXT answers the query for NAME
sign MESSAGE KEY DOMAIN SELECTOR ALGORITHM -> prints the DKIM-Signature field (relaxed/relaxed)
"""
import sys
import dkim

def main():
    cmd = sys.argv[1]
    with open(sys.argv[2], 'rb') as f:
        message = f.read()
    if cmd == 'verify':
        name, record = sys.argv[3], sys.argv[4].encode()
        def dnsfunc(qname, timeout=5):
            q = qname.decode() if isinstance(qname, bytes) else qname
            return record if q.rstrip('.') == name else None
        ok = dkim.verify(message, dnsfunc=dnsfunc)
        print('pass' if ok else 'fail')
    elif cmd == 'sign':
        with open(sys.argv[3], 'rb') as f:
            key = f.read()
        sig = dkim.sign(message, sys.argv[5].encode(), sys.argv[4].encode(), key,
                        canonicalize=(b'relaxed', b'relaxed'), signature_algorithm=sys.argv[6].encode(),
                        include_headers=[b'from', b'to', b'subject', b'date', b'message-id'])
        sys.stdout.write(sig.decode())
    else:
        sys.exit('unknown command ' + cmd)

main()
