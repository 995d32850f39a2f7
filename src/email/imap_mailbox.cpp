#include "email/imap_mailbox.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace tandem::email {
namespace {

size_t Append(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// An IMAP quoted string (folder names are checked to hold no quotes or backslashes).
std::string Quoted(std::string_view text) { return fmt::format("\"{}\"", text); }

// The number after `key ` in `line`, or -1.
int64_t NumberAfter(std::string_view line, std::string_view key) {
  const size_t at = line.find(key);
  if (at == std::string_view::npos) return -1;
  const char* begin = line.data() + at + key.size();
  int64_t value = -1;
  std::from_chars(begin, line.data() + line.size(), value);
  return value;
}

}  // namespace

struct ImapMailbox::Curl {
  CURL* handle = curl_easy_init();
  ~Curl() { curl_easy_cleanup(handle); }
};

ImapMailbox::ImapMailbox(const InboundConfig& config)
    : config_(config), curl_(std::make_unique<Curl>()) {}

ImapMailbox::~ImapMailbox() = default;

StatusOr<std::string> ImapMailbox::Run(std::string_view folder, std::string_view url_suffix,
                                       std::string_view command) {
  CURL* curl = curl_->handle;
  if (curl == nullptr) return Internal("libcurl could not start");
  std::string url = config_.url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/";
  if (!folder.empty()) {
    char* escaped = curl_easy_escape(curl, folder.data(), static_cast<int>(folder.size()));
    url += escaped;
    curl_free(escaped);
  }
  url += url_suffix;
  const std::string custom(command);
  std::string out;
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, custom.empty() ? nullptr : custom.c_str());
  curl_easy_setopt(curl, CURLOPT_USERNAME, config_.user.c_str());
  curl_easy_setopt(curl, CURLOPT_PASSWORD, config_.password.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(config_.timeout_ms, 10000)));
  const long tls = config_.starttls == "required" ? CURLUSESSL_ALL
                   : config_.starttls == "off"    ? CURLUSESSL_NONE
                                                  : CURLUSESSL_TRY;
  curl_easy_setopt(curl, CURLOPT_USE_SSL, tls);
  if (!config_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, config_.ca_file.c_str());
  const CURLcode code = curl_easy_perform(curl);
  if (code != CURLE_OK) {
    return Unavailable(
        "imap_failed",
        fmt::format("IMAP {} in \"{}\" at {}: {}{}{}", custom.empty() ? "FETCH" : custom, folder,
                    config_.url, curl_easy_strerror(code), error[0] != 0 ? ": " : "", error));
  }
  return out;
}

StatusOr<std::vector<ImapMailbox::Listed>> ImapMailbox::List(std::string_view folder) {
  TANDEM_ASSIGN_OR_RETURN(std::string answer, Run(folder, "", "UID FETCH 1:* (RFC822.SIZE)"));
  std::vector<Listed> out;
  size_t start = 0;
  while (start < answer.size()) {
    size_t end = answer.find('\n', start);
    if (end == std::string::npos) end = answer.size();
    const std::string_view line(answer.data() + start, end - start);
    start = end + 1;
    if (!line.starts_with("* ") || line.find(" FETCH ") == std::string_view::npos) continue;
    const int64_t uid = NumberAfter(line, "UID ");
    const int64_t size = NumberAfter(line, "RFC822.SIZE ");
    if (uid > 0 && size >= 0) out.push_back({uid, size});
  }
  std::sort(out.begin(), out.end(), [](const Listed& a, const Listed& b) { return a.uid < b.uid; });
  return out;
}

StatusOr<std::string> ImapMailbox::Fetch(std::string_view folder, int64_t uid, int64_t size,
                                         size_t max_bytes) {
  std::string suffix = fmt::format(";UID={}", uid);
  if (size > static_cast<int64_t>(max_bytes)) suffix += fmt::format(";PARTIAL=0.{}", max_bytes);
  TANDEM_ASSIGN_OR_RETURN(std::string bytes, Run(folder, suffix, ""));
  if (bytes.size() > max_bytes) bytes.resize(max_bytes);
  return bytes;
}

Status ImapMailbox::CreateFolder(std::string_view folder) {
  // A CREATE of a folder that exists is answered NO; LIST tells which it was.
  auto created = Run("", "", "CREATE " + Quoted(folder));
  if (created.ok()) return OkStatus();
  TANDEM_ASSIGN_OR_RETURN(std::string listed, Run("", "", "LIST \"\" " + Quoted(folder)));
  if (listed.find("* LIST") != std::string::npos) return OkStatus();
  return created.status();
}

Status ImapMailbox::Move(std::string_view folder, int64_t uid, std::string_view to) {
  auto moved = Run(folder, "", fmt::format("UID MOVE {} {}", uid, Quoted(to)));
  if (moved.ok()) return OkStatus();
  // Without MOVE: copy, then remove this message alone from the folder.
  TANDEM_RETURN_IF_ERROR(Run(folder, "", fmt::format("UID COPY {} {}", uid, Quoted(to))).status());
  TANDEM_RETURN_IF_ERROR(
      Run(folder, "", fmt::format("UID STORE {} +FLAGS.SILENT (\\Deleted)", uid)).status());
  return Run(folder, "", fmt::format("UID EXPUNGE {}", uid)).status();
}

}  // namespace tandem::email
