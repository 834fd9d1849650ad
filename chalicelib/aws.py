"""boto3 clients, built on first use and shared by the threads of one process."""
import threading

_lock = threading.Lock()
_clients: dict = {}


def client(service: str):
    found = _clients.get(service)
    if found is not None:
        return found
    with _lock:
        if service not in _clients:
            import boto3
            from botocore.config import Config
            config = Config(retries={"max_attempts": 3, "mode": "standard"}, max_pool_connections=50)
            _clients[service] = boto3.session.Session().client(service, config=config)
        return _clients[service]


def dynamodb():
    return client("dynamodb")


def reset() -> None:
    with _lock:
        _clients.clear()
