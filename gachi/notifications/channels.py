"""The channels a message leaves by: e-mail through SMTP, texts and KakaoTalk 알림톡
through SOLAPI (its Python SDK, `solapi`, which posts to /messages/v4/send-many/detail).

Each sender returns the provider's id for the message or raises one of the failures
below, which say whether trying again is safe. Trying again is safe only when the
provider cannot have accepted the message (it refused the connection, or answered a
temporary "not accepted" code); when it may have (the connection dropped mid-send, a
server error after the request reached it), the message is failed as "unknown" and never
sent twice.

Every text carries its outbox id to SOLAPI as a custom field, so that when its sender
died mid-send SOLAPI can be asked whether it holds it (`find_text`, used by the outbox
job's recovery). E-mail has no such lookup.
"""

import logging
import re
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

import httpx
from flask import current_app
from solapi import SolapiMessageService
from solapi.error.MessageNotReceiveError import MessageNotReceivedError
from solapi.model import KakaoOption, RequestMessage, SendRequestConfig
from solapi.model.message_type import MessageType
from solapi.model.request.messages.get_messages import GetMessagesRequest

from gachi.notifications.models import Channel

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 10
# The custom field every text carries with its outbox id, so SOLAPI can be asked later
# whether it holds the message (see `find_text`).
OUTBOX_ID_FIELD = "gachiOutboxId"
LOOKUP_PAGE_SIZE = 100
LOOKUP_MAX_PAGES = 10


class NoProvider(Exception):
    """Nothing is configured for the channel: the message is logged and kept, not sent."""


class TransientFailure(Exception):
    """The provider did not take the message and may later: try again after a while."""


class PermanentFailure(Exception):
    """The provider refused it, or may have sent it: never try again."""


def send(row, subject, body):
    """Send one outbox message; the provider's message id."""
    if row.channel is Channel.EMAIL:
        return send_email(row.address, subject, body, outbox_id=row.id)
    return send_text(
        row.address, body, kakao=row.channel is Channel.KAKAO, link=row.link, outbox_id=row.id
    )


def send_email(to, subject, body, *, outbox_id=None):
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        log.info("E-mail not sent (no SMTP configured) to %s: %s | %s", to, subject, body)
        raise NoProvider("not sent: no SMTP server configured")
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = config["MAIL_FROM"], to, subject
    domain = config["MAIL_FROM"].rpartition("@")[2] or None
    # An SMTP server cannot be asked whether it took a message, so an e-mail whose sender
    # died mid-send is never sent again; its Message-ID is still the outbox id's, so a
    # copy sent by hand would be recognised as the same message.
    email["Message-ID"] = (
        f"<gachi-outbox-{outbox_id}@{domain}>"
        if outbox_id and domain
        else make_msgid(domain=domain)
    )
    email.set_content(body)
    try:
        smtp = smtplib.SMTP(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT_SECONDS
        )
    except (OSError, smtplib.SMTPException) as error:
        raise TransientFailure(f"SMTP server not reached: {error}") from error
    with smtp:
        try:
            if config.get("MAIL_USERNAME"):
                smtp.starttls()
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _text in error.recipients.values()]
            if all(400 <= code < 500 for code in codes):
                raise TransientFailure(f"recipient deferred: {error.recipients}") from error
            raise PermanentFailure(f"recipient refused: {error.recipients}") from error
        except smtplib.SMTPResponseException as error:
            if 400 <= error.smtp_code < 500:
                raise TransientFailure(f"SMTP {error.smtp_code}: {error.smtp_error!r}") from error
            raise PermanentFailure(f"SMTP {error.smtp_code}: {error.smtp_error!r}") from error
        except (OSError, smtplib.SMTPException) as error:
            raise PermanentFailure(
                f"unknown: the connection failed while sending ({error})"
            ) from error
    return email["Message-ID"]


def _kakao_options(config, body, link):
    """알림톡 options, or None when no channel or template is configured (then a text)."""
    if not (config.get("SOLAPI_KAKAO_PF_ID") and config.get("SOLAPI_KAKAO_TEMPLATE_ID")):
        return None
    # The approved template reads "#{text}" (with "#{link}" where it shows the link);
    # disable_sms=False: where 알림톡 cannot be delivered, SOLAPI sends `text` as a text.
    return KakaoOption(
        pf_id=config["SOLAPI_KAKAO_PF_ID"],
        template_id=config["SOLAPI_KAKAO_TEMPLATE_ID"],
        variables={"text": body, "link": link or ""},
        disable_sms=False,
    )


def _solapi(config):
    service = SolapiMessageService(config["SOLAPI_API_KEY"], config["SOLAPI_API_SECRET"])
    service.base_url = config["SOLAPI_BASE_URL"].rstrip("/")
    return service


def send_text(to, body, *, kakao, link="", outbox_id=None):
    config = current_app.config
    if not (config.get("SOLAPI_API_KEY") and config.get("SOLAPI_API_SECRET")):
        log.info("Text not sent (no SOLAPI key configured) to %s: %s", to, body)
        raise NoProvider("not sent: no text provider configured")
    service = _solapi(config)
    options = _kakao_options(config, body, link) if kakao else None
    message = RequestMessage(
        to=to,
        from_=config.get("SOLAPI_SENDER"),
        text=body,
        type=MessageType.ATA if options else None,
        kakao_options=options,
        custom_fields={OUTBOX_ID_FIELD: str(outbox_id)} if outbox_id is not None else None,
    )
    try:
        response = service.send(message, SendRequestConfig(show_message_list=True))
    except (httpx.ConnectError, httpx.ConnectTimeout) as error:
        raise TransientFailure(f"text provider not reached: {error}") from error
    except MessageNotReceivedError as error:
        reasons = "; ".join(
            f"{failed.status_code} {failed.status_message}" for failed in error.failed_messages
        )
        raise PermanentFailure(f"refused by the text provider: {reasons}") from error
    except httpx.HTTPError as error:
        raise PermanentFailure(f"unknown: the connection failed while sending ({error})") from error
    except Exception as error:  # the SDK raises a bare Exception(code, text) for 4xx and 5xx
        raise PermanentFailure(f"refused by the text provider: {error.args}") from error
    listed = response.message_list or []
    return listed[0].message_id if listed else response.group_info.group_id


def find_text(row, since):
    """Ask SOLAPI whether it holds the text or 알림톡 of outbox message `row`, handed over
    at or after `since`: its message id, or None if it has none. Raises TransientFailure
    when it cannot be asked (no credentials, not reached, an error answer).

    The SDK's message list (GET /messages/v4/list-old) filters by recipient and date, not
    by custom field, so the recipient's messages since the claim are read, a page at a
    time, and matched on the outbox id each text carries in its custom fields."""
    config = current_app.config
    if not (config.get("SOLAPI_API_KEY") and config.get("SOLAPI_API_SECRET")):
        raise TransientFailure("cannot ask the text provider: no SOLAPI key configured")
    service = _solapi(config)
    wanted = str(row.id)
    query = GetMessagesRequest(
        to=re.sub(r"\D", "", row.address),
        start_date=since.isoformat(),
        limit=LOOKUP_PAGE_SIZE,
    )
    for _page in range(LOOKUP_MAX_PAGES):
        try:
            answer = service.get_messages(query)
        except Exception as error:  # httpx errors, or the SDK's bare Exception(code, text)
            raise TransientFailure(f"cannot ask the text provider: {error!r}") from error
        for message_id, message in answer.message_list.items():
            if (message.custom_fields or {}).get(OUTBOX_ID_FIELD) == wanted:
                return message.message_id or message_id
        if not answer.next_key:
            return None
        query = query.model_copy(update={"start_key": answer.next_key})
    raise TransientFailure(f"cannot tell: over {LOOKUP_MAX_PAGES} pages of texts to read")
