// FetchedResources: the pre-send check's facts about links and images, fetched over
// HTTP(S) with libcurl at check time, each with a short timeout, and cached.
//
// A link answers when its final status (after at most 5 redirects) is below 400; it is
// asked with HEAD, and with GET when the server refuses HEAD (405, 501). An image is
// fetched with GET (at most 10 MB) and its size read from its bytes. Prefetch fetches
// all of an email's URLs at once, so ten slow images cost one timeout, not ten.
//
// The URLs are written by anyone who may compose an email, so the fetcher never connects
// to loopback, private, link-local (the cloud metadata address among them), multicast or
// unspecified addresses unless allowed (Options::private_hosts, for tests on loopback).
// The check is made on each address actually connected to — every redirect and every
// address a name resolves to — so neither a redirect nor a name that resolves once to
// a public and then to a private address (DNS rebinding) gets through. A refused URL is
// not reachable, and Problem() says why ("refused: private address 10.0.0.5").
//
// Thread-safe: several checks may run at once; the cache is shared. Answers are kept for
// Options::cache_for (failures for at most Options::failure_cache_for, so a page
// published after a failed check is seen soon), at most Options::max_entries of them,
// the least recently used dropped first; the clock decides expiry.
#pragma once

#include <chrono>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "email/email_config.h"
#include "email/lint.h"

namespace tandem::email {

// Why the fetcher may not connect to the IP address `ip` ("loopback address 127.0.0.1",
// "private address 10.0.0.5", "link-local address 169.254.169.254"), or "" when it may.
// IPv4 addresses inside IPv6 (::ffff:10.0.0.5, 64:ff9b::10.0.0.5) are judged as IPv4.
// Text that is not an IP address is refused too.
std::string ForbiddenAddress(std::string_view ip);

class FetchedResources final : public ResourceFacts {
 public:
  struct Options {
    std::chrono::milliseconds timeout{3000};  // one request, connecting included
    std::chrono::seconds cache_for{600};
    std::chrono::seconds failure_cache_for{30};
    bool private_hosts = false;  // may connect to the addresses ForbiddenAddress refuses
    size_t max_entries = 10000;
    size_t max_image_bytes = 10 * 1024 * 1024;
    long max_redirects = 5;
    size_t max_parallel = 50;  // transfers at once: one check's URLs (LintOptions)
  };
  // The [email] fetch_* settings.
  static Options FromConfig(const EmailConfig& config);

  // `clock` must outlive the fetcher.
  FetchedResources(Options options, const Clock& clock);
  ~FetchedResources() override;
  FetchedResources(const FetchedResources&) = delete;
  FetchedResources& operator=(const FetchedResources&) = delete;

  bool Reachable(const std::string& url) override;
  std::optional<ImageSize> Image(const std::string& url) override;
  // Fetches, at once, every URL not answered in the cache; returns when all are done
  // (within about one timeout, or two for a link whose server refuses HEAD).
  void Prefetch(const std::vector<std::string>& links,
                const std::vector<std::string>& images) override;
  std::string Problem(const std::string& url, ResourceKind kind) override;

  // What one fetch found: a link answered, or an image's size; else why not.
  struct Answer {
    bool ok = false;
    std::optional<ImageSize> image;
    std::string problem;
  };
  struct Request {
    std::string url;
    ResourceKind kind = ResourceKind::kLink;
  };

 private:
  struct Entry {
    Answer answer;
    TimePoint expires;
    std::list<std::string>::iterator recent;
  };
  static std::string KeyOf(const std::string& url, ResourceKind kind);
  std::optional<Answer> Cached(const std::string& key);
  void Remember(const std::string& key, const Answer& answer);
  // The answer for one URL: the cached one, else fetched now.
  Answer AnswerFor(const std::string& url, ResourceKind kind);

  const Options options_;
  const Clock& clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> cache_;  // guarded by mutex_
  std::list<std::string> recent_;                 // keys, most recently used first
};

// Fetches each request (at most `options.max_parallel` at once) and answers them in
// order. No cache: FetchedResources keeps one.
std::vector<FetchedResources::Answer> FetchAll(
    const std::vector<FetchedResources::Request>& requests,
    const FetchedResources::Options& options);

}  // namespace tandem::email
