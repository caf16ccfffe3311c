package org.postlet.mailets;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.postlet.mailet.Mailet;
import org.postlet.mailet.Matcher;
import org.postlet.mailets.attributes.RemoveMailAttribute;
import org.postlet.mailets.auth.AuthenticationResults;
import org.postlet.mailets.auth.DkimSign;
import org.postlet.mailets.attributes.SetMailAttribute;
import org.postlet.mailets.delivery.LmtpDelivery;
import org.postlet.mailets.delivery.LocalDelivery;
import org.postlet.mailets.delivery.RemoteDelivery;
import org.postlet.mailets.flow.Null;
import org.postlet.mailets.flow.ToProcessor;
import org.postlet.mailets.headers.AddFooter;
import org.postlet.mailets.headers.AddHeader;
import org.postlet.mailets.headers.AddSubjectPrefix;
import org.postlet.mailets.headers.RemoveMimeHeader;
import org.postlet.mailets.headers.SetMimeHeader;
import org.postlet.mailets.logging.LogMessage;
import org.postlet.mailets.matchers.All;
import org.postlet.mailets.matchers.AttachmentFileNameIs;
import org.postlet.mailets.matchers.DkimResultIs;
import org.postlet.mailets.matchers.DmarcDispositionIs;
import org.postlet.mailets.matchers.DmarcResultIs;
import org.postlet.mailets.matchers.HasAttachment;
import org.postlet.mailets.matchers.HasHeader;
import org.postlet.mailets.matchers.HasMailAttribute;
import org.postlet.mailets.matchers.IsOverQuota;
import org.postlet.mailets.matchers.IsRemoteDeliveryPermanentError;
import org.postlet.mailets.matchers.IsRemoteDeliveryTemporaryError;
import org.postlet.mailets.matchers.IsSingleRecipient;
import org.postlet.mailets.matchers.RecipientDomainIs;
import org.postlet.mailets.matchers.RecipientIs;
import org.postlet.mailets.matchers.RecipientDomainIsLocal;
import org.postlet.mailets.matchers.RecipientIsLocal;
import org.postlet.mailets.matchers.RecipientIsRegex;
import org.postlet.mailets.matchers.RelayLimit;
import org.postlet.mailets.matchers.RemoteAddrInNetwork;
import org.postlet.mailets.matchers.RemoteAddrNotInNetwork;
import org.postlet.mailets.matchers.RemoteDeliveryFailedWithSMTPCode;
import org.postlet.mailets.matchers.SMTPAuthSuccessful;
import org.postlet.mailets.matchers.SMTPAuthUserIs;
import org.postlet.mailets.matchers.SenderDomainIs;
import org.postlet.mailets.matchers.SenderIs;
import org.postlet.mailets.matchers.SenderIsLocal;
import org.postlet.mailets.matchers.SenderIsNull;
import org.postlet.mailets.matchers.SenderIsRegex;
import org.postlet.mailets.matchers.SizeGreaterThan;
import org.postlet.mailets.matchers.SpfResultIs;
import org.postlet.mailets.matchers.SubjectIs;
import org.postlet.mailets.matchers.SubjectMatches;
import org.postlet.mailets.matchers.SubjectStartsWith;
import org.postlet.mailets.matchers.TooManyRecipients;
import org.postlet.mailets.notify.Bounce;
import org.postlet.mailets.notify.NotifyPostmaster;
import org.postlet.mailets.recipients.Forward;
import org.postlet.mailets.recipients.RecipientRewrite;
import org.postlet.mailets.recipients.RecipientToLowerCase;
import org.postlet.mailets.recipients.Redirect;
import org.postlet.mailets.recipients.RemoveRecipients;
import org.postlet.mailets.repository.ToRepository;
import org.postlet.mailets.spam.Rspamd;

/**
 * The catalog of simple names a pipeline may use for shipped components. A name resolves only
 * through these maps, never by guessing package prefixes, so there is one class per name. The
 * maps are sorted by name, which is also the order of {@code docs/mailets.md}.
 */
public final class StandardComponents {

    /** Shipped mailets by the simple name used in {@code class:}. */
    public static final Map<String, Class<? extends Mailet>> MAILETS = sorted(Map.ofEntries(
            Map.entry("AddFooter", AddFooter.class),
            Map.entry("AddHeader", AddHeader.class),
            Map.entry("AddSubjectPrefix", AddSubjectPrefix.class),
            Map.entry("AuthenticationResults", AuthenticationResults.class),
            Map.entry("Bounce", Bounce.class),
            Map.entry("DkimSign", DkimSign.class),
            Map.entry("Forward", Forward.class),
            Map.entry("LmtpDelivery", LmtpDelivery.class),
            Map.entry("LocalDelivery", LocalDelivery.class),
            Map.entry("LogMessage", LogMessage.class),
            Map.entry("NotifyPostmaster", NotifyPostmaster.class),
            Map.entry("Null", Null.class),
            Map.entry("RecipientRewrite", RecipientRewrite.class),
            Map.entry("RecipientToLowerCase", RecipientToLowerCase.class),
            Map.entry("Redirect", Redirect.class),
            Map.entry("RemoteDelivery", RemoteDelivery.class),
            Map.entry("RemoveMailAttribute", RemoveMailAttribute.class),
            Map.entry("RemoveMimeHeader", RemoveMimeHeader.class),
            Map.entry("RemoveRecipients", RemoveRecipients.class),
            Map.entry("Rspamd", Rspamd.class),
            Map.entry("SetMailAttribute", SetMailAttribute.class),
            Map.entry("SetMimeHeader", SetMimeHeader.class),
            Map.entry("ToProcessor", ToProcessor.class),
            Map.entry("ToRepository", ToRepository.class)));

    /** Shipped matchers by the simple name used in {@code match:}. */
    public static final Map<String, Class<? extends Matcher>> MATCHERS = sorted(Map.ofEntries(
            Map.entry("All", All.class),
            Map.entry("AttachmentFileNameIs", AttachmentFileNameIs.class),
            Map.entry("DkimResultIs", DkimResultIs.class),
            Map.entry("DmarcDispositionIs", DmarcDispositionIs.class),
            Map.entry("DmarcResultIs", DmarcResultIs.class),
            Map.entry("HasAttachment", HasAttachment.class),
            Map.entry("HasHeader", HasHeader.class),
            Map.entry("HasMailAttribute", HasMailAttribute.class),
            Map.entry("IsOverQuota", IsOverQuota.class),
            Map.entry("IsRemoteDeliveryPermanentError", IsRemoteDeliveryPermanentError.class),
            Map.entry("IsRemoteDeliveryTemporaryError", IsRemoteDeliveryTemporaryError.class),
            Map.entry("IsSingleRecipient", IsSingleRecipient.class),
            Map.entry("RecipientDomainIs", RecipientDomainIs.class),
            Map.entry("RecipientIs", RecipientIs.class),
            Map.entry("RecipientIsLocal", RecipientIsLocal.class),
            Map.entry("RecipientDomainIsLocal", RecipientDomainIsLocal.class),
            Map.entry("RecipientIsRegex", RecipientIsRegex.class),
            Map.entry("RelayLimit", RelayLimit.class),
            Map.entry("RemoteAddrInNetwork", RemoteAddrInNetwork.class),
            Map.entry("RemoteDeliveryFailedWithSMTPCode", RemoteDeliveryFailedWithSMTPCode.class),
            Map.entry("RemoteAddrNotInNetwork", RemoteAddrNotInNetwork.class),
            Map.entry("SMTPAuthSuccessful", SMTPAuthSuccessful.class),
            Map.entry("SMTPAuthUserIs", SMTPAuthUserIs.class),
            Map.entry("SenderDomainIs", SenderDomainIs.class),
            Map.entry("SenderIs", SenderIs.class),
            Map.entry("SenderIsLocal", SenderIsLocal.class),
            Map.entry("SenderIsNull", SenderIsNull.class),
            Map.entry("SenderIsRegex", SenderIsRegex.class),
            Map.entry("SizeGreaterThan", SizeGreaterThan.class),
            Map.entry("SpfResultIs", SpfResultIs.class),
            Map.entry("SubjectIs", SubjectIs.class),
            Map.entry("SubjectMatches", SubjectMatches.class),
            Map.entry("SubjectStartsWith", SubjectStartsWith.class),
            Map.entry("TooManyRecipients", TooManyRecipients.class)));

    private StandardComponents() {
    }

    private static <V> Map<String, V> sorted(Map<String, V> map) {
        return Collections.unmodifiableMap(new TreeMap<>(map));
    }
}
