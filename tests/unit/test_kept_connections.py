"""The local AWS endpoint's kept connections: an idle one closing is routine and says nothing;
any other server error is still logged."""
from chalicelib.local.aws_server import keep_alive_handler


class RecordingHandler:
    def __init__(self):
        self.logged = []

    def log_error(self, format, *args):
        self.logged.append(format % args)


def test_an_idle_kept_connection_closing_logs_nothing_but_other_errors_still_log():
    handler = keep_alive_handler(RecordingHandler)()
    handler.log_error("Request timed out: %r", TimeoutError("timed out"))
    assert handler.logged == []
    handler.log_error("code %d, message %s", 400, "Bad request syntax")
    assert handler.logged == ["code 400, message Bad request syntax"]
