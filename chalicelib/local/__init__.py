"""The local stack behind `make run` and the tests: moto server, resources, API, event pump.

Modules (each imports moto, chalice.local or boto3 only when used, so chalicelib stays
importable without the dev requirements):

    template     CloudFormation loading/merging/references (infra/*.yaml)
    bootstrap    create infra/resources.yaml's resources through the AWS API
    aws_server   moto's WSGI server (DynamoDB requests serialised) in a child process
    api_server   the Chalice app served by chalice.local
    pump         SQS and schedule delivery to the handlers, with Lambda's semantics
    state        snapshots of tables and objects in .local-state/
    env          the environment variables of docs/architecture.md
    stack        LocalStack, which puts them together
    __main__     `python -m chalicelib.local`
"""


def __getattr__(name):
    if name == "LocalStack":
        from chalicelib.local.stack import LocalStack

        return LocalStack
    raise AttributeError(name)
