// ImapMailbox: the IMAP commands reading answers needs, over libcurl — list a folder's
// messages with their sizes, fetch one (or its first bytes), create a folder, move a
// message to another folder. Messages are named by UID. Nothing is ever deleted: a move
// is IMAP MOVE (RFC 6851), or COPY, then \Deleted and UID EXPUNGE of that message alone
// (UIDPLUS) where a server lacks MOVE.
//
// One connection, opened by the first command and kept for the mailbox's life (libcurl
// reconnects when it was dropped). Failures are values: Unavailable ("imap_failed")
// naming the command and what the server or the network said.
//
// Not thread-safe: one thread uses a mailbox at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "email/inbound_config.h"

namespace tandem::email {

class ImapMailbox {
 public:
  explicit ImapMailbox(const InboundConfig& config);
  ~ImapMailbox();
  ImapMailbox(const ImapMailbox&) = delete;
  ImapMailbox& operator=(const ImapMailbox&) = delete;

  struct Listed {
    int64_t uid = 0;
    int64_t size = 0;  // RFC822.SIZE
  };
  // The messages in `folder`, by UID, oldest first.
  StatusOr<std::vector<Listed>> List(std::string_view folder);
  // The message's first `max_bytes` bytes (all of it when it is not bigger).
  StatusOr<std::string> Fetch(std::string_view folder, int64_t uid, int64_t size, size_t max_bytes);
  // Creates `folder`; OK when it exists already.
  Status CreateFolder(std::string_view folder);
  Status Move(std::string_view folder, int64_t uid, std::string_view to);

 private:
  struct Curl;
  // Runs `command` (or, when empty, fetches the URL) on `folder` ("" for none) and
  // returns what the server sent back.
  StatusOr<std::string> Run(std::string_view folder, std::string_view url_suffix,
                            std::string_view command);

  const InboundConfig config_;
  std::unique_ptr<Curl> curl_;
};

}  // namespace tandem::email
