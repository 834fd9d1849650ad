"""SQS worker for the jobs queue: dispatches each message by its `type`.

Feature modules add their handler to HANDLERS (message type → function(body, meta)).
"""
from chalicelib.events.sqs_batch import run_batch


def handlers() -> dict:
    from chalicelib.events import upload_jobs
    from chalicelib.services import polling
    return {
        polling.MESSAGE: polling.handle_message,      # inventory and ERP polling (issue 4)
        **upload_jobs.HANDLERS,                       # spreadsheets and exports (issue 7)
    }


def handle(event, context):
    return run_batch(event, handlers(), context)
