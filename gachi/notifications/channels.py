"""The channels a message leaves by: e-mail through SMTP, texts and KakaoTalk 알림톡
through SOLAPI (its Python SDK, `solapi`, which posts to /messages/v4/send-many/detail).

Each sender returns the provider's id for the message or raises one of the failures
below, which say whether trying again is safe. Trying again is safe only when the
provider cannot have accepted the message (it refused the connection, or answered a
temporary "not accepted" code); when it may have (the connection dropped mid-send, a
server error after the request reached it), the message is failed as "unknown" and never
sent twice.
"""

import logging
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

import httpx
from flask import current_app
from solapi import SolapiMessageService
from solapi.error.MessageNotReceiveError import MessageNotReceivedError
from solapi.model import KakaoOption, RequestMessage, SendRequestConfig
from solapi.model.message_type import MessageType

from gachi.notifications.models import Channel

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 10


class NoProvider(Exception):
    """Nothing is configured for the channel: the message is logged and kept, not sent."""


class TransientFailure(Exception):
    """The provider did not take the message and may later: try again after a while."""


class PermanentFailure(Exception):
    """The provider refused it, or may have sent it: never try again."""


def send(row, subject, body):
    """Send one outbox message; the provider's message id."""
    if row.channel is Channel.EMAIL:
        return send_email(row.address, subject, body)
    return send_text(row.address, body, kakao=row.channel is Channel.KAKAO, link=row.link)


def send_email(to, subject, body):
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        log.info("E-mail not sent (no SMTP configured) to %s: %s | %s", to, subject, body)
        raise NoProvider("not sent: no SMTP server configured")
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = config["MAIL_FROM"], to, subject
    email["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2] or None)
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


def send_text(to, body, *, kakao, link=""):
    config = current_app.config
    if not (config.get("SOLAPI_API_KEY") and config.get("SOLAPI_API_SECRET")):
        log.info("Text not sent (no SOLAPI key configured) to %s: %s", to, body)
        raise NoProvider("not sent: no text provider configured")
    service = SolapiMessageService(config["SOLAPI_API_KEY"], config["SOLAPI_API_SECRET"])
    service.base_url = config["SOLAPI_BASE_URL"].rstrip("/")
    options = _kakao_options(config, body, link) if kakao else None
    message = RequestMessage(
        to=to,
        from_=config.get("SOLAPI_SENDER"),
        text=body,
        type=MessageType.ATA if options else None,
        kakao_options=options,
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
