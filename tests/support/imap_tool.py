#!/usr/bin/python3
"""What the inbound mail tests do to their IMAP server besides the poller: put a
message in a folder (APPEND), and count a folder's messages.

    imap_tool.py PORT append FOLDER FILE    # FILE's bytes as one message
    imap_tool.py PORT count FOLDER          # prints the number (0: no such folder)
    imap_tool.py PORT create FOLDER

User "inbound", password "secret" (the test server's only account), on 127.0.0.1.
"""
import imaplib
import sys


def main():
    port, command, folder = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    imap = imaplib.IMAP4("127.0.0.1", port)
    imap.login("inbound", "secret")
    if command == "create":
        imap.create(f'"{folder}"')
    elif command == "append":
        imap.create(f'"{folder}"')  # NO when it exists: fine
        with open(sys.argv[4], "rb") as f:
            message = f.read()
        typ, data = imap.append(folder, None, None, message)
        if typ != "OK":
            sys.exit(f"APPEND failed: {data}")
    elif command == "count":
        typ, data = imap.select(f'"{folder}"', readonly=True)
        print(int(data[0]) if typ == "OK" else 0)
    else:
        sys.exit(f"unknown command {command}")
    imap.logout()


if __name__ == "__main__":
    main()
