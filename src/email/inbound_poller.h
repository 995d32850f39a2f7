// InboundPoller: reads the [email.inbound] mailbox. Each poll takes the folder's
// messages oldest first (at most `batch`), hands each to InboundMail, and only once it
// is recorded (or was recorded before) moves it to the processed folder: a poll cut off
// anywhere — the server down, the connection dropped, the store unavailable, the
// process killed — leaves the rest where it was for the next poll, and a message read
// twice is recorded once. Messages are never deleted. A message that is not an email
// (InboundMail refuses it) is logged and moved too, so it cannot block the folder.
//
// Thread-safety: PollOnce from one thread at a time; Start/Stop from the owner.
#pragma once

#include <cstddef>
#include <thread>

#include "core/clock.h"
#include "core/wake_signal.h"
#include "email/inbound_mail.h"

namespace tandem {

class InboundPoller {
 public:
  struct Counts {
    size_t received = 0;    // recorded now
    size_t duplicates = 0;  // recorded before
    size_t refused = 0;     // not an email: logged and moved
  };

  // `mail` and `clock` must outlive the poller.
  InboundPoller(InboundConfig config, const InboundMail& mail, const Clock& clock);
  ~InboundPoller();  // Stop()s

  // One poll on the calling thread. Unavailable when the server could not be read or a
  // message not stored; what was done before that stays done.
  StatusOr<Counts> PollOnce();

  // Polls every poll_interval_s on a thread of its own, logging failures; nothing
  // when no url is configured.
  void Start();
  void Stop();

 private:
  void Run();

  const InboundConfig config_;
  const InboundMail& mail_;
  const Clock& clock_;
  WakeSignal signal_;
  std::thread thread_;
};

}  // namespace tandem
