"""SQS worker for the jobs queue (placeholder until its issue lands)."""


def handle(event, context):
    return {"batchItemFailures": []}
