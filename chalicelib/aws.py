"""botocore clients, built on first use and shared by the threads of one process.

botocore rather than boto3: a request never imports boto3's session, resources or s3transfer
(about a tenth of a cold start); store/wire.py does the DynamoDB value mapping boto3 would.
"""
import threading

_lock = threading.Lock()
_clients: dict = {}


def client(service: str):
    found = _clients.get(service)
    if found is not None:
        return found
    with _lock:
        if service not in _clients:
            import botocore.session
            from botocore.config import Config
            config = Config(retries={"max_attempts": 3, "mode": "standard"}, max_pool_connections=50)
            _clients[service] = botocore.session.get_session().create_client(service, config=config)
        return _clients[service]


def dynamodb():
    return client("dynamodb")


def reset() -> None:
    with _lock:
        _clients.clear()
