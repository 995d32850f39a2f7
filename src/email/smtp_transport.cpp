// MailTransport over libcurl's SMTP: one easy handle, reused, so its connection to the
// relay stays open between messages.
#include "email/smtp_transport.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "email/mime.h"

namespace tandem::email {
namespace {

// Where in the SMTP conversation the relay's last answer came, from the command
// libcurl sent last.
enum class Step { kConnect, kEhlo, kStartTls, kAuth, kMail, kRcpt, kData, kEndOfData, kQuit };

std::string_view StepName(Step step) {
  switch (step) {
    case Step::kConnect:
      return "connecting";
    case Step::kEhlo:
      return "EHLO";
    case Step::kStartTls:
      return "STARTTLS";
    case Step::kAuth:
      return "AUTH";
    case Step::kMail:
      return "MAIL FROM";
    case Step::kRcpt:
      return "RCPT TO";
    case Step::kData:
      return "DATA";
    case Step::kEndOfData:
      return "end of DATA";
    case Step::kQuit:
      return "QUIT";
  }
  return "?";
}

// The step a line libcurl sent starts; `current` for a line that starts none (a SASL
// continuation).
Step StepOfCommand(std::string_view line, Step current) {
  auto is = [&](std::string_view verb) {
    return line.size() >= verb.size() && strncasecmp(line.data(), verb.data(), verb.size()) == 0;
  };
  if (is("QUIT")) return Step::kQuit;
  if (is("EHLO") || is("HELO")) return Step::kEhlo;
  if (is("STARTTLS")) return Step::kStartTls;
  if (is("AUTH")) return Step::kAuth;
  if (is("MAIL")) return Step::kMail;
  if (is("RCPT")) return Step::kRcpt;
  if (is("DATA")) return Step::kData;
  if (is(".") || is("\r\n.")) return Step::kEndOfData;
  return current;
}

// The message with every line end CRLF and a final CRLF: SMTP's canonical form. A view
// of `message` itself when it already is (the usual case: BuildMime's output).
std::string_view Canonical(std::string_view message, std::string& storage) {
  bool canonical = message.ends_with("\r\n");
  for (size_t i = 0; canonical && i < message.size(); ++i) {
    if (message[i] == '\n' && (i == 0 || message[i - 1] != '\r')) canonical = false;
    if (message[i] == '\r' && (i + 1 == message.size() || message[i + 1] != '\n')) {
      canonical = false;
    }
  }
  if (canonical) return message;
  storage.clear();
  for (size_t i = 0; i < message.size(); ++i) {
    if (message[i] == '\r' || message[i] == '\n') {
      if (message[i] == '\r' && i + 1 < message.size() && message[i + 1] == '\n') ++i;
      storage += "\r\n";
    } else {
      storage += message[i];
    }
  }
  if (!storage.ends_with("\r\n")) storage += "\r\n";
  return storage;
}

// The relay URL without any "user:password@" in it, to name it in a message.
std::string RelayForMessages(std::string_view relay) {
  size_t scheme = relay.find("://");
  if (scheme == std::string_view::npos) return std::string(relay);
  size_t host = scheme + 3;
  size_t at = relay.find('@', host);
  size_t path = relay.find('/', host);
  if (at == std::string_view::npos || (path != std::string_view::npos && at > path)) {
    return std::string(relay);
  }
  return std::string(relay.substr(0, host)) + std::string(relay.substr(at + 1));
}

bool IsTlsError(CURLcode rc) {
  switch (rc) {
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
      return true;
    default:
      return false;
  }
}

class CurlSmtpTransport final : public MailTransport {
 public:
  explicit CurlSmtpTransport(const EmailConfig& config) : config_(config) {
    static std::once_flag init;
    std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    curl_ = curl_easy_init();
    if (curl_ != nullptr) Configure();
  }
  ~CurlSmtpTransport() override { curl_easy_cleanup(curl_); }
  CurlSmtpTransport(const CurlSmtpTransport&) = delete;
  CurlSmtpTransport& operator=(const CurlSmtpTransport&) = delete;

  SmtpOutcome Send(std::string_view envelope_from, std::string_view recipient,
                   std::string_view message) override;

 private:
  void Configure();
  SmtpOutcome Classify(CURLcode rc) const;
  SmtpOutcome ConnectionFailure(CURLcode rc, int code) const;
  static size_t Read(char* buffer, size_t size, size_t count, void* self);
  static int Debug(CURL*, curl_infotype type, char* data, size_t size, void* self);

  const EmailConfig config_;
  CURL* curl_ = nullptr;
  char error_[CURL_ERROR_SIZE] = {};
  std::string_view upload_;     // what is left of the message being sent
  std::string canonical_;       // the message rewritten with CRLF, when it had to be
  Step step_ = Step::kConnect;  // the step of the conversation that failed, when one did
  bool quitting_ = false;
  std::string last_reply_;  // the relay's last reply line, without CRLF
};

void CurlSmtpTransport::Configure() {
  curl_easy_setopt(curl_, CURLOPT_URL, config_.relay.c_str());
  curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  long use_ssl = config_.starttls == "required" ? CURLUSESSL_ALL
                 : config_.starttls == "off"    ? CURLUSESSL_NONE
                                                : CURLUSESSL_TRY;
  curl_easy_setopt(curl_, CURLOPT_USE_SSL, use_ssl);
  if (!config_.ca_file.empty()) curl_easy_setopt(curl_, CURLOPT_CAINFO, config_.ca_file.c_str());
  if (!config_.username.empty()) {
    curl_easy_setopt(curl_, CURLOPT_USERNAME, config_.username.c_str());
    curl_easy_setopt(curl_, CURLOPT_PASSWORD, config_.password.c_str());
  }
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.timeout_ms));
  curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config_.timeout_ms));
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl_, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl_, CURLOPT_READFUNCTION, &CurlSmtpTransport::Read);
  curl_easy_setopt(curl_, CURLOPT_READDATA, this);
  curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error_);
  // The debug callback is how the relay's words and the step they answered are seen;
  // it reads command verbs and reply lines only, never AUTH's arguments.
  curl_easy_setopt(curl_, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(curl_, CURLOPT_DEBUGFUNCTION, &CurlSmtpTransport::Debug);
  curl_easy_setopt(curl_, CURLOPT_DEBUGDATA, this);
}

size_t CurlSmtpTransport::Read(char* buffer, size_t size, size_t count, void* self) {
  auto* transport = static_cast<CurlSmtpTransport*>(self);
  size_t n = std::min(size * count, transport->upload_.size());
  std::memcpy(buffer, transport->upload_.data(), n);
  transport->upload_.remove_prefix(n);
  return n;
}

int CurlSmtpTransport::Debug(CURL*, curl_infotype type, char* data, size_t size, void* self) {
  auto* transport = static_cast<CurlSmtpTransport*>(self);
  std::string_view text(data, size);
  if (transport->quitting_) return 0;  // the farewell after a failure says nothing new
  if (type == CURLINFO_HEADER_OUT) {
    Step step = StepOfCommand(text, transport->step_);
    if (step == Step::kQuit) {
      transport->quitting_ = true;
    } else {
      transport->step_ = step;
    }
  } else if (type == CURLINFO_DATA_OUT) {
    transport->step_ = Step::kEndOfData;
  } else if (type == CURLINFO_HEADER_IN) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    transport->last_reply_.assign(text);
  }
  return 0;
}

SmtpOutcome CurlSmtpTransport::Send(std::string_view envelope_from, std::string_view recipient,
                                    std::string_view message) {
  using Kind = SmtpOutcome::Kind;
  if (curl_ == nullptr) return {Kind::kRetry, 0, "cannot start an SMTP client (libcurl)"};
  if (config_.relay.empty()) return {Kind::kRetry, 0, "no relay is configured ([email] relay)"};
  if (!IsValidMailAddress(recipient)) {
    return {Kind::kRejected, 0, fmt::format("\"{}\" is not an email address", recipient)};
  }
  if (!envelope_from.empty() && !IsValidMailAddress(envelope_from)) {
    return {Kind::kRetry, 0,
            fmt::format("the envelope sender \"{}\" is not an email address (see [email] "
                        "from_address)",
                        envelope_from)};
  }
  std::string from = fmt::format("<{}>", envelope_from);
  std::string to = fmt::format("<{}>", recipient);
  curl_slist* recipients = curl_slist_append(nullptr, to.c_str());
  upload_ = Canonical(message, canonical_);
  curl_easy_setopt(curl_, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl_, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt(curl_, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(upload_.size()));
  step_ = Step::kConnect;
  quitting_ = false;
  last_reply_.clear();
  error_[0] = '\0';
  CURLcode rc = curl_easy_perform(curl_);
  curl_easy_setopt(curl_, CURLOPT_MAIL_RCPT, nullptr);
  curl_slist_free_all(recipients);
  return Classify(rc);
}

SmtpOutcome CurlSmtpTransport::Classify(CURLcode rc) const {
  using Kind = SmtpOutcome::Kind;
  long response = 0;
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &response);
  int code = static_cast<int>(response);
  if (rc == CURLE_OK) return {Kind::kSent, code, last_reply_};
  std::string said = fmt::format("{}: the relay answered \"{}\"", StepName(step_), last_reply_);
  if (rc == CURLE_LOGIN_DENIED) return {Kind::kRetry, code, "AUTH failed: " + said};
  if (IsTlsError(rc)) {
    return {Kind::kRetry, code, fmt::format("TLS failed at {}: {}", StepName(step_), error_)};
  }
  bool error_reply = code >= 400 && code < 600 && !last_reply_.empty();
  if (error_reply && code >= 500 &&
      (step_ == Step::kRcpt || step_ == Step::kData || step_ == Step::kEndOfData)) {
    return {Kind::kRejected, code, said};
  }
  if (error_reply) {
    if (step_ == Step::kMail)
      return {Kind::kRetry, code, "the relay refused the sender at " + said};
    if (step_ == Step::kAuth) return {Kind::kRetry, code, "AUTH failed: " + said};
    return {Kind::kRetry, code, said};
  }
  return ConnectionFailure(rc, code);
}

SmtpOutcome CurlSmtpTransport::ConnectionFailure(CURLcode rc, int code) const {
  using Kind = SmtpOutcome::Kind;
  std::string relay = RelayForMessages(config_.relay);
  if (rc == CURLE_COULDNT_CONNECT) {
    long os_error = 0;
    curl_easy_getinfo(curl_, CURLINFO_OS_ERRNO, &os_error);
    std::string why = os_error == ECONNREFUSED ? "connection refused" : "cannot connect";
    return {Kind::kRetry, 0, fmt::format("{} ({}): {}", why, relay, error_)};
  }
  if (rc == CURLE_COULDNT_RESOLVE_HOST) {
    return {Kind::kRetry, 0, fmt::format("cannot resolve the relay ({}): {}", relay, error_)};
  }
  std::string what = rc == CURLE_OPERATION_TIMEDOUT
                         ? fmt::format("timed out after {} ms", config_.timeout_ms)
                         : fmt::format("connection lost ({})", curl_easy_strerror(rc));
  if (step_ == Step::kEndOfData) {
    return {Kind::kRetry, code,
            fmt::format("{} after the message was sent, before the relay's answer (it may have "
                        "been delivered; a retry keeps its Message-ID): {}",
                        what, error_)};
  }
  return {Kind::kRetry, code, fmt::format("{} at {}: {}", what, StepName(step_), error_)};
}

}  // namespace

std::string_view SmtpOutcomeKindName(SmtpOutcome::Kind kind) {
  switch (kind) {
    case SmtpOutcome::Kind::kSent:
      return "sent";
    case SmtpOutcome::Kind::kRetry:
      return "retry";
    case SmtpOutcome::Kind::kRejected:
      return "rejected";
  }
  return "?";
}

std::unique_ptr<MailTransport> NewCurlSmtpTransport(const EmailConfig& config) {
  return std::make_unique<CurlSmtpTransport>(config);
}

}  // namespace tandem::email
