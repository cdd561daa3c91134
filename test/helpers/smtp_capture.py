"""aiosmtpd handler for tests: writes each message received to FOLDER as N.eml (the raw message),
with the envelope's recipients on the first line as `X-Rcpt-To: a, b`. Run as
`python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c smtp_capture.Capture FOLDER` with this folder on
PYTHONPATH."""

import os


class Capture:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("Capture takes one argument: the folder for the messages")
        return cls(args[0])

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8")
        head = ("X-Rcpt-To: " + ", ".join(envelope.rcpt_tos) + "\r\n").encode("utf-8")
        tmp = os.path.join(self.folder, "%d.tmp" % self.count)
        with open(tmp, "wb") as f:
            f.write(head + data)
        os.rename(tmp, os.path.join(self.folder, "%d.eml" % self.count))
        return "250 OK"
