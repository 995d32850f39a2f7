#include "email/mime.h"

#include <fmt/format.h>
#include <sodium.h>

#include <array>
#include <stdexcept>

#include "email/gmime_support.h"

namespace tandem::email {
namespace {

constexpr size_t kMaxHeaderValue = 900;  // a header line stays under SMTP's 998

Status BadField(std::string_view field, std::string_view why) {
  return InvalidArgument("mime_invalid_field", fmt::format("{}: {}", field, why));
}

bool IsAtext(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool IsDotAtom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '.' ? s[i + 1] == '.' : !IsAtext(s[i])) return false;
  }
  return true;
}

bool IsDomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find('.', start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view label = s.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      bool ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return false;
    }
    start = end + 1;
  }
  return true;
}

// CR, LF, NUL and the other C0 controls but tab end or forge header lines.
Status CheckHeaderText(std::string_view field, std::string_view value) {
  for (char c : value) {
    if (c == '\r' || c == '\n') return BadField(field, "contains a line break");
    if (c == '\0') return BadField(field, "contains a NUL byte");
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
      return BadField(field, "contains a control character");
    }
  }
  if (!g_utf8_validate_len(value.data(), value.size(), nullptr)) {
    return BadField(field, "is not valid UTF-8");
  }
  return OkStatus();
}

Status CheckAddress(std::string_view field, std::string_view address) {
  TANDEM_RETURN_IF_ERROR(CheckHeaderText(field, address));
  if (!IsValidMailAddress(address)) {
    return BadField(field, fmt::format("\"{}\" is not an email address (local@domain, ASCII, "
                                       "no spaces or quotes)",
                                       address));
  }
  return OkStatus();
}

Status CheckMailbox(std::string_view field, const MailAddress& mailbox) {
  TANDEM_RETURN_IF_ERROR(CheckHeaderText(fmt::format("{}.name", field), mailbox.name));
  return CheckAddress(fmt::format("{}.address", field), mailbox.address);
}

// A URL inside List-Unsubscribe's angle brackets, where a space, comma or bracket
// would end it early.
Status CheckListUrl(std::string_view field, std::string_view url) {
  if (url.size() > kMaxHeaderValue / 2) return BadField(field, "is too long");
  for (char c : url) {
    if (c <= ' ' || c > '~' || c == '<' || c == '>' || c == ',' || c == '"') {
      return BadField(field,
                      "may hold only printable ASCII without spaces, commas, quotes or <>"
                      " (percent-encode them)");
    }
  }
  return OkStatus();
}

Status CheckUnsubscribe(const OutgoingEmail& email) {
  if (!email.list_unsubscribe_url.empty()) {
    const std::string& url = email.list_unsubscribe_url;
    if (!url.starts_with("https://") && !url.starts_with("http://")) {
      return BadField("list_unsubscribe_url",
                      "must be an https:// URL (RFC 8058; http:// is accepted for tests)");
    }
    TANDEM_RETURN_IF_ERROR(CheckListUrl("list_unsubscribe_url", url));
  }
  if (!email.list_unsubscribe_mailto.empty()) {
    const std::string& mailto = email.list_unsubscribe_mailto;
    if (!mailto.starts_with("mailto:")) {
      return BadField("list_unsubscribe_mailto", "must be a mailto: URL");
    }
    TANDEM_RETURN_IF_ERROR(CheckListUrl("list_unsubscribe_mailto", mailto));
    std::string_view address = std::string_view(mailto).substr(7);
    address = address.substr(0, address.find('?'));
    TANDEM_RETURN_IF_ERROR(CheckAddress("list_unsubscribe_mailto", address));
  }
  return OkStatus();
}

bool IsReservedHeader(std::string_view name) {
  static constexpr std::array<std::string_view, 16> kReserved = {"from",
                                                                 "to",
                                                                 "cc",
                                                                 "bcc",
                                                                 "reply-to",
                                                                 "sender",
                                                                 "subject",
                                                                 "date",
                                                                 "message-id",
                                                                 "mime-version",
                                                                 "content-type",
                                                                 "content-transfer-encoding",
                                                                 "return-path",
                                                                 "received",
                                                                 "list-unsubscribe",
                                                                 "list-unsubscribe-post"};
  for (std::string_view reserved : kReserved) {
    if (g_ascii_strncasecmp(name.data(), reserved.data(), reserved.size()) == 0 &&
        name.size() == reserved.size()) {
      return true;
    }
  }
  return false;
}

Status CheckExtraHeaders(const OutgoingEmail& email) {
  for (const auto& [name, value] : email.headers) {
    std::string field = fmt::format("headers[{}]", name);
    if (name.empty() || name.size() > 76) return BadField(field, "name must be 1 to 76 characters");
    for (char c : name) {
      if (c <= ' ' || c > '~' || c == ':') {
        return BadField(field, "name may hold only printable ASCII without ':'");
      }
    }
    if (IsReservedHeader(name)) return BadField(field, "is set by Tandem and cannot be given");
    TANDEM_RETURN_IF_ERROR(CheckHeaderText(field, value));
    if (value.size() > kMaxHeaderValue) return BadField(field, "value is too long");
  }
  return OkStatus();
}

Status Validate(const OutgoingEmail& email) {
  TANDEM_RETURN_IF_ERROR(CheckMailbox("from", email.from));
  TANDEM_RETURN_IF_ERROR(CheckMailbox("to", email.to));
  if (!email.reply_to.empty()) TANDEM_RETURN_IF_ERROR(CheckAddress("reply_to", email.reply_to));
  TANDEM_RETURN_IF_ERROR(CheckHeaderText("subject", email.subject));
  TANDEM_RETURN_IF_ERROR(CheckAddress("message_id", email.message_id));
  TANDEM_RETURN_IF_ERROR(CheckUnsubscribe(email));
  TANDEM_RETURN_IF_ERROR(CheckExtraHeaders(email));
  if (email.html.empty() && email.text.empty()) {
    return BadField("html/text", "the email has no body");
  }
  for (auto [field, body] : {std::pair<std::string_view, const std::string&>{"html", email.html},
                             {"text", email.text}}) {
    if (body.find('\0') != std::string::npos) return BadField(field, "contains a NUL byte");
    if (!g_utf8_validate_len(body.data(), body.size(), nullptr)) {
      return BadField(field, "is not valid UTF-8");
    }
  }
  return OkStatus();
}

// Every line end (CRLF, a lone LF, a lone CR) as CRLF: text in canonical form, so a
// base64 body decodes to CRLF and quoted-printable never has to encode a bare CR.
std::string ToCrlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += "\r\n";
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  return out;
}

void AddMailbox(GMimeMessage* message, GMimeAddressType type, const MailAddress& mailbox) {
  InternetAddress* address =
      internet_address_mailbox_new(mailbox.name.c_str(), mailbox.address.c_str());
  internet_address_set_charset(address, "utf-8");
  internet_address_list_add(g_mime_message_get_addresses(message, type), address);
  g_object_unref(address);
}

// Appends a header written exactly as given (ASCII, already folded where it should
// be): GMime's default formatting would turn a long URL into encoded-words.
void AppendRawHeader(GMimeObject* object, const char* name, const std::string& raw) {
  g_mime_object_append_header(object, name, "", nullptr);
  GMimeHeaderList* list = g_mime_object_get_header_list(object);
  GMimeHeader* header =
      g_mime_header_list_get_header_at(list, g_mime_header_list_get_count(list) - 1);
  g_mime_header_set_raw_value(header, (" " + raw + "\n").c_str());
}

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) > 0x7e) return false;
  }
  return true;
}

void AddHeaders(GMimeMessage* message, const OutgoingEmail& email) {
  GMimeObject* object = GMIME_OBJECT(message);
  if (!email.list_unsubscribe_url.empty() || !email.list_unsubscribe_mailto.empty()) {
    std::string value;
    if (!email.list_unsubscribe_url.empty()) value = "<" + email.list_unsubscribe_url + ">";
    if (!email.list_unsubscribe_mailto.empty()) {
      if (!value.empty()) value += value.size() > 60 ? ",\n " : ", ";
      value += "<" + email.list_unsubscribe_mailto + ">";
    }
    AppendRawHeader(object, "List-Unsubscribe", value);
  }
  if (!email.list_unsubscribe_url.empty()) {
    AppendRawHeader(object, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
  }
  for (const auto& [name, value] : email.headers) {
    if (IsAscii(value)) {
      AppendRawHeader(object, name.c_str(), value);
    } else {
      g_mime_object_append_header(object, name.c_str(), value.c_str(), "utf-8");
    }
  }
}

GMimeObject* NewTextPart(const char* subtype, std::string_view body) {
  std::string canonical = ToCrlf(body);
  GMimeTextPart* part = g_mime_text_part_new_with_subtype(subtype);
  gmime::Ref<GMimeStream> stream(
      g_mime_stream_mem_new_with_buffer(canonical.data(), canonical.size()));
  gmime::Ref<GMimeDataWrapper> content(
      g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
  g_mime_part_set_content(GMIME_PART(part), content.get());
  g_mime_text_part_set_charset(part, "utf-8");
  g_mime_part_set_content_encoding(
      GMIME_PART(part),
      g_mime_part_get_best_content_encoding(GMIME_PART(part), GMIME_ENCODING_CONSTRAINT_7BIT));
  return GMIME_OBJECT(part);
}

void SetBody(GMimeMessage* message, const OutgoingEmail& email) {
  if (email.html.empty() || email.text.empty()) {
    gmime::Ref<GMimeObject> part(email.html.empty() ? NewTextPart("plain", email.text)
                                                    : NewTextPart("html", email.html));
    g_mime_message_set_mime_part(message, part.get());
    return;
  }
  gmime::Ref<GMimeMultipart> alternative(g_mime_multipart_new_with_subtype("alternative"));
  gmime::Ref<GMimeObject> text(NewTextPart("plain", email.text));
  gmime::Ref<GMimeObject> html(NewTextPart("html", email.html));
  g_mime_multipart_add(alternative.get(), text.get());
  g_mime_multipart_add(alternative.get(), html.get());
  g_mime_message_set_mime_part(message, GMIME_OBJECT(alternative.get()));
}

std::string Serialize(GMimeMessage* message) {
  gmime::FormatOptions options(g_mime_format_options_new());
  g_mime_format_options_set_newline_format(options.get(), GMIME_NEWLINE_FORMAT_DOS);
  gmime::Ref<GMimeStream> stream(g_mime_stream_mem_new());
  g_mime_object_write_to_stream(GMIME_OBJECT(message), options.get(), stream.get());
  return gmime::MemoryStreamBytes(stream.get());
}

}  // namespace

bool IsValidMailAddress(std::string_view address) {
  if (address.size() > 254) return false;
  size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return false;
  return IsDotAtom(address.substr(0, at)) && IsDomain(address.substr(at + 1));
}

StatusOr<std::string> BuildMime(const OutgoingEmail& email) {
  TANDEM_RETURN_IF_ERROR(Validate(email));
  gmime::EnsureInitialized();
  gmime::Ref<GMimeMessage> message(g_mime_message_new(TRUE));
  AddMailbox(message.get(), GMIME_ADDRESS_TYPE_FROM, email.from);
  AddMailbox(message.get(), GMIME_ADDRESS_TYPE_TO, email.to);
  if (!email.reply_to.empty()) {
    AddMailbox(message.get(), GMIME_ADDRESS_TYPE_REPLY_TO, {"", email.reply_to});
  }
  g_mime_message_set_subject(message.get(), email.subject.c_str(), "utf-8");
  int64_t seconds = std::chrono::floor<std::chrono::seconds>(email.date.time_since_epoch()).count();
  GDateTime* date = g_date_time_new_from_unix_utc(seconds);
  if (date == nullptr) return BadField("date", "is outside the years 1 to 9999");
  g_mime_message_set_date(message.get(), date);
  g_date_time_unref(date);
  g_mime_message_set_message_id(message.get(), email.message_id.c_str());
  AddHeaders(message.get(), email);
  SetBody(message.get(), email);
  return Serialize(message.get());
}

std::string NewMessageId(std::string_view domain) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialize");
  std::array<unsigned char, 16> random{};
  randombytes_buf(random.data(), random.size());
  std::array<char, 33> hex{};
  sodium_bin2hex(hex.data(), hex.size(), random.data(), random.size());
  return fmt::format("{}@{}", std::string_view(hex.data(), 32), domain);
}

}  // namespace tandem::email
