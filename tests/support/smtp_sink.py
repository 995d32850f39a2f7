#!/usr/bin/python3
"""A real SMTP server for Tandem's tests and benchmarks (Debian's python3-aiosmtpd).

It listens on 127.0.0.1 on a free port and writes that port to --port-file once it
accepts connections. Every message it accepts is kept in --dir as two files:
  NNNNNNNN.eml   the message exactly as received (dot-stuffing undone, CRLF kept)
  NNNNNNNN.json  {"mail_from": ..., "rcpt_tos": [...], "eml": "NNNNNNNN.eml",
                  "size": bytes, "client_port": the connection's port, "tls": bool,
                  "authenticated": bool}, written last: a .json means it is complete.
With --no-store nothing is kept but a running count in --dir/count (for benchmarks).

A rules file (--rules, JSON, re-read for every connection and command, may be absent)
makes the server misbehave on purpose:
  {"connect": 421,                       every new connection greeted with 421, closed
   "recipients": {
     "gone@example.com":  {"rcpt": 550},  RCPT TO answered 550 (or any code)
     "later@example.com": {"rcpt": 451, "text": "4.7.1 try later"},
     "crash@example.com": {"data": "drop"},  connection closed after the message is
                                              read, before any reply; nothing kept
     "big@example.com":   {"data": 552}}}    the end of DATA answered 552
Recipient addresses are compared in lower case.

Optional: --auth-user/--auth-password (AUTH PLAIN or LOGIN required before MAIL, allowed
without TLS),
--tls-cert/--tls-key (STARTTLS offered), --implicit-tls (TLS from the first byte,
like smtps:// on port 465). Stops on SIGTERM or SIGINT.
"""

import argparse
import asyncio
import json
import os
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def read_rules(path):
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8") as f:
            rules = json.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        print(f"smtp_sink: ignoring unreadable rules {path}: {error}", file=sys.stderr)
        return {}
    return rules if isinstance(rules, dict) else {}


def recipient_rule(rules, address):
    recipients = rules.get("recipients") or {}
    rule = recipients.get(address.lower()) if isinstance(recipients, dict) else None
    return rule if isinstance(rule, dict) else {}


def reply(code, text):
    return f"{int(code)} {text}"


def write_atomically(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


class Sink:
    """The message handler: applies the rules, keeps what it accepts."""

    def __init__(self, directory, rules_path, store):
        self.directory = directory
        self.rules_path = rules_path
        self.store = store
        self.count = 0

    def rules(self):
        return read_rules(self.rules_path)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        rule = recipient_rule(self.rules(), address)
        if "rcpt" in rule:
            return reply(rule["rcpt"], rule.get("text", "refused by the test's rules"))
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        rules = self.rules()
        for address in envelope.rcpt_tos:
            rule = recipient_rule(rules, address)
            if rule.get("data") == "drop":
                server.transport.abort()
                return "421 dropped by the test's rules"
            if "data" in rule:
                return reply(rule["data"], rule.get("text", "refused by the test's rules"))
        self.count += 1
        self.keep(envelope, session_facts(server, session))
        return "250 OK queued as %08d" % self.count

    def keep(self, envelope, facts):
        if not self.store:
            write_atomically(os.path.join(self.directory, "count"), str(self.count).encode())
            return
        name = "%08d" % self.count
        content = envelope.original_content or b""
        write_atomically(os.path.join(self.directory, name + ".eml"), content)
        sidecar = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                   "eml": name + ".eml", "size": len(content), **facts}
        write_atomically(os.path.join(self.directory, name + ".json"),
                         json.dumps(sidecar).encode())


def session_facts(server, session):
    """How the message came: the client's port (one per connection), TLS, AUTH."""
    transport = server.transport
    tls = session.ssl is not None or (
        transport is not None and transport.get_extra_info("ssl_object") is not None)
    peer = session.peer if isinstance(session.peer, tuple) else ("", 0)
    return {"client_port": peer[1], "tls": bool(tls), "authenticated": bool(session.authenticated)}


class RuledSMTP(SMTP):
    """aiosmtpd's server, greeting with the rules' "connect" code when there is one."""

    def __init__(self, sink, **kwargs):
        super().__init__(sink, **kwargs)
        self.sink = sink

    async def _handle_client(self):
        code = self.sink.rules().get("connect")
        if code:
            await self.push(reply(code, "service not available (the test's rules)"))
            self.transport.close()
            return
        await super()._handle_client()


def authenticator_for(user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == user.encode() and auth_data.password == password.encode())
        return AuthResult(success=ok, handled=False)  # a failure answers 535
    return authenticate


def tls_context(cert, key):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def server_factory(args, sink):
    options = {"hostname": "smtp-sink.test", "data_size_limit": 64 * 1024 * 1024}
    if args.auth_user:
        options.update(authenticator=authenticator_for(args.auth_user, args.auth_password),
                       auth_required=True, auth_require_tls=False)
    if args.tls_cert and not args.implicit_tls:
        options["tls_context"] = tls_context(args.tls_cert, args.tls_key)
    return lambda: RuledSMTP(sink, **options)


async def serve(args):
    os.makedirs(args.dir, exist_ok=True)
    sink = Sink(args.dir, args.rules, store=not args.no_store)
    loop = asyncio.get_running_loop()
    implicit = tls_context(args.tls_cert, args.tls_key) if args.implicit_tls else None
    server = await loop.create_server(server_factory(args, sink), "127.0.0.1", args.port,
                                      ssl=implicit)
    port = server.sockets[0].getsockname()[1]
    write_atomically(args.port_file, str(port).encode())
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="A real SMTP server for tests: keeps what it receives, misbehaves on request.",
        epilog=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", required=True, help="where received messages are kept")
    parser.add_argument("--port-file", required=True, help="written with the port once listening")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: a free one)")
    parser.add_argument("--rules", help="JSON rules file, re-read on every command")
    parser.add_argument("--no-store", action="store_true", help="only count messages")
    parser.add_argument("--auth-user", help="require AUTH with this user")
    parser.add_argument("--auth-password", default="", help="the AUTH password")
    parser.add_argument("--tls-cert", help="PEM certificate: STARTTLS offered")
    parser.add_argument("--tls-key", help="PEM private key of --tls-cert")
    parser.add_argument("--implicit-tls", action="store_true",
                        help="TLS from the first byte (smtps://) instead of STARTTLS")
    args = parser.parse_args(argv)
    if (args.tls_cert is None) != (args.tls_key is None):
        parser.error("--tls-cert and --tls-key go together")
    if args.implicit_tls and not args.tls_cert:
        parser.error("--implicit-tls needs --tls-cert and --tls-key")
    return args


if __name__ == "__main__":
    asyncio.run(serve(parse_args(sys.argv[1:])))
