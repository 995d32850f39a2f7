#include "email/resource_fetcher.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>
#include <new>
#include <unordered_set>

#include "email/image_size.h"

namespace tandem::email {
namespace {

using Answer = FetchedResources::Answer;
using Request = FetchedResources::Request;
using Options = FetchedResources::Options;

// The IPv4 ranges no check may reach, and what they are called in a refusal.
struct Ipv4Range {
  uint32_t network;
  int bits;
  const char* kind;
};
constexpr Ipv4Range kForbiddenIpv4[] = {
    {0x00000000, 8, "unspecified"},   {0x7F000000, 8, "loopback"},
    {0x0A000000, 8, "private"},       {0xAC100000, 12, "private"},
    {0xC0A80000, 16, "private"},      {0x64400000, 10, "shared (carrier NAT)"},
    {0xA9FE0000, 16, "link-local"},   {0xC0000000, 24, "reserved"},
    {0xC6120000, 15, "benchmarking"}, {0xE0000000, 4, "multicast"},
    {0xF0000000, 4, "reserved"},  // and 255.255.255.255, broadcast
};

const char* ForbiddenIpv4(const uint8_t* b) {
  const uint32_t v = (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
  for (const Ipv4Range& range : kForbiddenIpv4) {
    const uint32_t mask = ~uint32_t{0} << (32 - range.bits);
    if ((v & mask) == range.network) return range.kind;
  }
  return nullptr;
}

bool AllZero(const uint8_t* b, size_t n) {
  return std::all_of(b, b + n, [](uint8_t x) { return x == 0; });
}

const char* ForbiddenIpv6(const uint8_t* b) {
  if (AllZero(b, 15) && b[15] <= 1) return b[15] == 0 ? "unspecified" : "loopback";
  // An IPv4 address inside: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d), NAT64.
  const bool mapped = AllZero(b, 10) && b[10] == 0xff && b[11] == 0xff;
  const bool nat64 =
      b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && AllZero(b + 4, 8);
  if (mapped || nat64 || AllZero(b, 12)) return ForbiddenIpv4(b + 12);
  if ((b[0] & 0xfe) == 0xfc) return "private";                     // fc00::/7
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return "link-local";  // fe80::/10
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return "private";     // fec0::/10, site-local
  if (b[0] == 0xff) return "multicast";
  return nullptr;
}

// The text of the address curl is about to connect to; "" for another family.
std::string AddressText(const sockaddr& address) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  const void* raw = nullptr;
  if (address.sa_family == AF_INET) {
    raw = &reinterpret_cast<const sockaddr_in&>(address).sin_addr;
  } else if (address.sa_family == AF_INET6) {
    raw = &reinterpret_cast<const sockaddr_in6&>(address).sin6_addr;
  }
  if (raw == nullptr || inet_ntop(address.sa_family, raw, text.data(), text.size()) == nullptr) {
    return "";
  }
  return text.data();
}

// One URL's fetch, from its first request to its answer.
struct Transfer {
  const Request* request = nullptr;
  const Options* options = nullptr;
  CURL* easy = nullptr;
  bool head = false;  // a link is asked with HEAD first
  std::string body;   // an image's bytes
  std::string refused;
  bool stopped = false;  // a link's GET, stopped at its first bytes: the status is known
  bool too_large = false;
  Answer answer;
};

size_t Receive(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (t.request->kind == ResourceKind::kLink) {
    t.stopped = true;
    return 0;
  }
  if (t.body.size() + n > t.options->max_image_bytes) {
    t.too_large = true;
    return 0;
  }
  t.body.append(data, n);
  return n;
}

// Called for every connection curl opens, redirects included, with the address it is
// about to connect to: the one place an address is judged.
curl_socket_t OpenCheckedSocket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  auto& t = *static_cast<Transfer*>(user);
  const std::string ip = AddressText(address->addr);
  const std::string why =
      purpose == CURLSOCKTYPE_IPCXN ? ForbiddenAddress(ip) : "not a connection to a host";
  if (!why.empty()) {
    t.refused = "refused: " + why;
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

void SetUp(Transfer& t) {
  CURL* e = t.easy;
  const Options& o = *t.options;
  curl_easy_reset(e);
  curl_easy_setopt(e, CURLOPT_URL, t.request->url.c_str());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, o.max_redirects);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(o.timeout.count()));
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.timeout.count()));
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  // Never through a proxy from the environment: the address check must see the host.
  curl_easy_setopt(e, CURLOPT_PROXY, "");
  curl_easy_setopt(e, CURLOPT_USERAGENT, "Tandem-EmailCheck/1");
  curl_easy_setopt(e, CURLOPT_NOBODY, t.head ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, Receive);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
  if (t.request->kind == ResourceKind::kImage) {
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(o.max_image_bytes));
  }
  if (!o.private_hosts) {
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, OpenCheckedSocket);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &t);
  }
}

std::string FailureOf(const Transfer& t, CURLcode rc) {
  const Options& o = *t.options;
  if (!t.refused.empty()) return t.refused;
  if (t.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
    return fmt::format("larger than {} MB", o.max_image_bytes / (1024 * 1024));
  }
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return fmt::format("no answer within {} ms", o.timeout.count());
    case CURLE_TOO_MANY_REDIRECTS:
      return fmt::format("more than {} redirects", o.max_redirects);
    case CURLE_UNSUPPORTED_PROTOCOL:
      return "only http and https addresses are fetched";
    case CURLE_COULDNT_RESOLVE_HOST:
      return "the host name is not found";
    default:
      return curl_easy_strerror(rc);
  }
}

Answer Judge(const Transfer& t, CURLcode rc) {
  if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && t.stopped)) {
    return Answer{false, std::nullopt, FailureOf(t, rc)};
  }
  long status = 0;
  curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 400) return Answer{false, std::nullopt, fmt::format("answered {}", status)};
  if (t.request->kind == ResourceKind::kLink) return Answer{true, std::nullopt, ""};
  if (status < 200 || status >= 300) {
    return Answer{false, std::nullopt, fmt::format("answered {} without an image", status)};
  }
  std::optional<ImageSize> size = ImageSizeOf(t.body);
  if (!size) return Answer{false, std::nullopt, "the answer is not an image"};
  return Answer{true, size, ""};
}

// A server that does not do HEAD: ask again with GET.
bool HeadRefused(const Transfer& t, CURLcode rc) {
  if (!t.head || rc != CURLE_OK) return false;
  long status = 0;
  curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
  return status == 405 || status == 501;
}

void InitCurlOnce() {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Runs the transfers on one multi handle, at most max_parallel at once.
void RunTransfers(CURLM* multi, std::vector<Transfer>& transfers, size_t max_parallel) {
  size_t next = 0, active = 0;
  while (next < transfers.size() || active > 0) {
    for (; next < transfers.size() && active < max_parallel; ++next, ++active) {
      Transfer& t = transfers[next];
      t.easy = curl_easy_init();
      if (t.easy == nullptr) throw std::bad_alloc();
      SetUp(t);
      curl_multi_add_handle(multi, t.easy);
    }
    int running = 0;
    curl_multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      const CURLcode rc = msg->data.result;
      char* user = nullptr;
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, &user);
      Transfer& t = *reinterpret_cast<Transfer*>(user);
      curl_multi_remove_handle(multi, easy);
      if (HeadRefused(t, rc)) {
        t.head = false;
        SetUp(t);
        curl_multi_add_handle(multi, easy);
        continue;
      }
      t.answer = Judge(t, rc);
      curl_easy_cleanup(easy);
      t.easy = nullptr;
      --active;
    }
    if (active > 0) curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
  }
}

}  // namespace

std::string ForbiddenAddress(std::string_view ip) {
  const std::string text(ip);
  std::array<uint8_t, 16> bytes{};
  const char* kind = nullptr;
  if (inet_pton(AF_INET, text.c_str(), bytes.data()) == 1) {
    kind = ForbiddenIpv4(bytes.data());
  } else if (inet_pton(AF_INET6, text.c_str(), bytes.data()) == 1) {
    kind = ForbiddenIpv6(bytes.data());
  } else {
    return fmt::format("not an IP address \"{}\"", text);
  }
  return kind == nullptr ? "" : fmt::format("{} address {}", kind, text);
}

std::vector<Answer> FetchAll(const std::vector<Request>& requests, const Options& options) {
  InitCurlOnce();
  std::vector<Transfer> transfers(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    transfers[i].request = &requests[i];
    transfers[i].options = &options;
    transfers[i].head = requests[i].kind == ResourceKind::kLink;
  }
  CURLM* multi = curl_multi_init();
  if (multi == nullptr) throw std::bad_alloc();
  RunTransfers(multi, transfers, std::max<size_t>(options.max_parallel, 1));
  curl_multi_cleanup(multi);
  std::vector<Answer> answers;
  answers.reserve(transfers.size());
  for (Transfer& t : transfers) answers.push_back(std::move(t.answer));
  return answers;
}

FetchedResources::Options FetchedResources::FromConfig(const EmailConfig& config) {
  Options options;
  options.timeout = std::chrono::milliseconds(std::max<int64_t>(config.fetch_timeout_ms, 1));
  options.cache_for = std::chrono::seconds(std::max<int64_t>(config.fetch_cache_s, 0));
  options.failure_cache_for = std::min(options.failure_cache_for, options.cache_for);
  options.private_hosts = config.fetch_private_hosts;
  return options;
}

FetchedResources::FetchedResources(Options options, const Clock& clock)
    : options_(options), clock_(clock) {
  InitCurlOnce();
}

FetchedResources::~FetchedResources() = default;

std::string FetchedResources::KeyOf(const std::string& url, ResourceKind kind) {
  return (kind == ResourceKind::kImage ? "i " : "l ") + url;
}

std::optional<FetchedResources::Answer> FetchedResources::Cached(const std::string& key) {
  const TimePoint now = clock_.Now();
  std::lock_guard lock(mutex_);
  auto it = cache_.find(key);
  if (it == cache_.end()) return std::nullopt;
  if (it->second.expires <= now) {
    recent_.erase(it->second.recent);
    cache_.erase(it);
    return std::nullopt;
  }
  recent_.splice(recent_.begin(), recent_, it->second.recent);
  return it->second.answer;
}

void FetchedResources::Remember(const std::string& key, const Answer& answer) {
  const auto life = answer.ok ? options_.cache_for : options_.failure_cache_for;
  const TimePoint expires = clock_.Now() + life;
  std::lock_guard lock(mutex_);
  if (auto it = cache_.find(key); it != cache_.end()) {
    recent_.erase(it->second.recent);
    cache_.erase(it);
  }
  recent_.push_front(key);
  cache_.emplace(key, Entry{answer, expires, recent_.begin()});
  while (cache_.size() > std::max<size_t>(options_.max_entries, 1)) {
    cache_.erase(recent_.back());
    recent_.pop_back();
  }
}

FetchedResources::Answer FetchedResources::AnswerFor(const std::string& url, ResourceKind kind) {
  const std::string key = KeyOf(url, kind);
  if (auto cached = Cached(key)) return *cached;
  Answer answer = FetchAll({Request{url, kind}}, options_).front();
  Remember(key, answer);
  return answer;
}

bool FetchedResources::Reachable(const std::string& url) {
  return AnswerFor(url, ResourceKind::kLink).ok;
}

std::optional<ImageSize> FetchedResources::Image(const std::string& url) {
  return AnswerFor(url, ResourceKind::kImage).image;
}

void FetchedResources::Prefetch(const std::vector<std::string>& links,
                                const std::vector<std::string>& images) {
  std::vector<Request> requests;
  std::unordered_set<std::string> asked;
  auto ask = [&](const std::string& url, ResourceKind kind) {
    const std::string key = KeyOf(url, kind);
    if (asked.insert(key).second && !Cached(key)) requests.push_back(Request{url, kind});
  };
  for (const std::string& url : links) ask(url, ResourceKind::kLink);
  for (const std::string& url : images) ask(url, ResourceKind::kImage);
  if (requests.empty()) return;
  const std::vector<Answer> answers = FetchAll(requests, options_);
  for (size_t i = 0; i < requests.size(); ++i) {
    Remember(KeyOf(requests[i].url, requests[i].kind), answers[i]);
  }
}

std::string FetchedResources::Problem(const std::string& url, ResourceKind kind) {
  auto cached = Cached(KeyOf(url, kind));
  return cached ? cached->problem : "";
}

}  // namespace tandem::email
