"""SQS worker for the uploads queue (placeholder until its issue lands)."""


def handle(event, context):
    return {"batchItemFailures": []}
