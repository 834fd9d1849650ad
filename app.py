"""Onceship: the Chalice app. Registers routes and event handlers, nothing else."""
from chalice import Chalice

from chalicelib.api import router

app = Chalice(app_name="onceship")
router.register(app)


@app.lambda_function(name="jobs_worker")
def jobs_worker(event, context):
    from chalicelib.events import jobs
    return jobs.handle(event, context)


@app.lambda_function(name="uploads_worker")
def uploads_worker(event, context):
    from chalicelib.events import uploads
    return uploads.handle(event, context)


@app.lambda_function(name="webhooks_worker")
def webhooks_worker(event, context):
    from chalicelib.events import webhooks
    return webhooks.handle(event, context)


@app.lambda_function(name="scheduler_tick")
def scheduler_tick(event, context):
    from chalicelib.events import schedule
    return schedule.tick(event, context)
