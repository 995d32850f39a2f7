// BodyQueue: the chunks of one streamed body on their way from the producer's thread
// to the connection, which writes them on its strand (http/server.cpp). At most about
// `max_buffered` bytes wait unwritten: past that, the producer's Write blocks until the
// connection has written some, so a slow client slows the producer rather than filling
// memory. Internal to the server.
//
// Thread-safe: Write and Finish are the producer's, Take, Written and Cancel the
// connection's (Cancel from any thread).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "http/http_types.h"

namespace tandem::http {

class BodyQueue : public BodySink {
 public:
  // `wake` is called from the producer's thread after each Write and at Finish: the
  // connection has something new to take.
  BodyQueue(size_t max_buffered, std::function<void()> wake);

  // A chunk ("" is skipped: an empty chunk would end the body); fails once cancelled.
  Status Write(std::string chunk) override;
  // The producer is done: the body is complete (OK) or failed.
  void Finish(Status status);
  // The connection is gone: every Write from now on fails, and a blocked one returns.
  void Cancel();

  // What the connection writes next: a chunk, else the end once every chunk is taken,
  // else nothing yet (wait for the next wake).
  struct Next {
    std::optional<std::string> chunk;
    std::optional<Status> end;
  };
  Next Take();
  // `bytes` of a taken chunk are written: room for the producer.
  void Written(size_t bytes);

 private:
  const size_t max_buffered_;
  const std::function<void()> wake_;
  std::mutex mu_;
  std::condition_variable room_;
  std::deque<std::string> chunks_;  // guarded by mu_
  size_t unwritten_ = 0;            // guarded by mu_: queued or taken, not yet written
  std::optional<Status> end_;       // guarded by mu_
  bool cancelled_ = false;          // guarded by mu_
};

}  // namespace tandem::http
