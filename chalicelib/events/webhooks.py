"""SQS worker for the webhooks queue (placeholder until its issue lands)."""


def handle(event, context):
    return {"batchItemFailures": []}
