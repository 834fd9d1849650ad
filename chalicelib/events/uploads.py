"""SQS worker for the uploads queue: S3 object-created notifications for `uploads/`.

S3 writes these messages itself, so they carry no `type`: a body with S3 `Records` is a
notification, `s3:TestEvent` (sent when the notification is configured) is dropped, anything
else is a poison message for the dead-letter queue. Each object becomes one upload job.
"""
from chalicelib.events.sqs_batch import run_batch


def _type_of(body: dict):
    from chalicelib.domain.uploads import is_notification
    if body.get("Event") == "s3:TestEvent":
        return "s3.test"
    return "s3.notification" if is_notification(body) else None


def _notification(body: dict, meta: dict) -> None:
    from chalicelib.domain.uploads import notifications
    from chalicelib.services import uploads
    for dropped in notifications(body):
        uploads.intake(dropped)


def handle(event, context):
    return run_batch(event, {"s3.notification": _notification, "s3.test": lambda body, meta: None},
                     context, type_of=_type_of)
