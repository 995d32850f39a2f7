// ParseMime: reading a received or sent message back into plain values (GMime 3).
#include <fmt/format.h>

#include "core/text.h"
#include "email/gmime_support.h"
#include "email/mime.h"

namespace tandem::email {
namespace {

constexpr size_t kMaxMessageBytes = 64u << 20;
// Parts nested deeper than this are not read: no real message nests so deep, and a
// hostile one must not exhaust the stack.
constexpr int kMaxDepth = 32;

std::string OrEmpty(const char* s) { return s == nullptr ? std::string() : std::string(s); }

std::string DecodedMessageId(const char* header_value) {
  if (header_value == nullptr) return {};
  gmime::GChars id(g_mime_utils_decode_message_id(header_value));
  return OrEmpty(id.get());
}

void AppendMailboxes(InternetAddressList* list, std::vector<MailAddress>& out) {
  if (list == nullptr) return;
  for (int i = 0; i < internet_address_list_length(list); ++i) {
    InternetAddress* address = internet_address_list_get_address(list, i);
    if (INTERNET_ADDRESS_IS_MAILBOX(address)) {
      out.push_back(
          {OrEmpty(internet_address_get_name(address)),
           OrEmpty(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address)))});
    } else if (INTERNET_ADDRESS_IS_GROUP(address)) {
      AppendMailboxes(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(address)), out);
    }
  }
}

std::string AddressListText(InternetAddressList* list) {
  if (list == nullptr) return {};
  gmime::GChars text(internet_address_list_to_string(list, nullptr, FALSE));
  return OrEmpty(text.get());
}

// A part's content without its transfer encoding, converted from its charset to
// UTF-8 (when iconv knows the charset), with LF line ends.
std::string DecodedText(GMimePart* part) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (content == nullptr) return {};
  gmime::Ref<GMimeStream> memory(g_mime_stream_mem_new());
  gmime::Ref<GMimeStream> filtered(g_mime_stream_filter_new(memory.get()));
  const char* charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
  if (charset != nullptr && g_ascii_strcasecmp(charset, "utf-8") != 0 &&
      g_ascii_strcasecmp(charset, "us-ascii") != 0) {
    gmime::Ref<GMimeFilter> convert(g_mime_filter_charset_new(charset, "utf-8"));
    if (convert != nullptr)
      g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered.get()), convert.get());
  }
  gmime::Ref<GMimeFilter> unix_newlines(g_mime_filter_dos2unix_new(FALSE));
  g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered.get()), unix_newlines.get());
  g_mime_data_wrapper_write_to_stream(content, filtered.get());
  g_mime_stream_flush(filtered.get());
  return gmime::MemoryStreamBytes(memory.get());
}

void ReadLeafPart(GMimePart* part, ParsedEmail& email) {
  GMimeContentType* type = g_mime_object_get_content_type(GMIME_OBJECT(part));
  bool attachment = g_mime_part_is_attachment(part);
  if (g_mime_content_type_is_type(type, "text", "plain") && !attachment && email.text.empty()) {
    email.text = DecodedText(part);
  } else if (g_mime_content_type_is_type(type, "text", "html") && !attachment &&
             email.html.empty()) {
    email.html = DecodedText(part);
  } else if (g_mime_content_type_is_type(type, "message", "delivery-status") ||
             g_mime_content_type_is_type(type, "message", "global-delivery-status")) {
    email.delivery_status = DecodedText(part);
  } else if (g_mime_content_type_is_type(type, "message", "feedback-report")) {
    email.feedback_report = DecodedText(part);
  } else if (g_mime_content_type_is_type(type, "text", "rfc822-headers") &&
             email.original_message_id.empty()) {
    auto returned = ParseMime(DecodedText(part) + "\n");
    if (returned.ok()) email.original_message_id = returned->message_id;
  }
}

void ReadParts(GMimeObject* object, ParsedEmail& email, int depth) {
  if (depth > kMaxDepth) return;
  if (GMIME_IS_MULTIPART(object)) {
    GMimeMultipart* multipart = GMIME_MULTIPART(object);
    for (int i = 0; i < g_mime_multipart_get_count(multipart); ++i) {
      ReadParts(g_mime_multipart_get_part(multipart, i), email, depth + 1);
    }
  } else if (GMIME_IS_MESSAGE_PART(object)) {
    // A returned or forwarded message: its id, not its text, belongs to this one.
    GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
    if (inner != nullptr && email.original_message_id.empty()) {
      email.original_message_id = OrEmpty(g_mime_message_get_message_id(inner));
    }
  } else if (GMIME_IS_PART(object)) {
    ReadLeafPart(GMIME_PART(object), email);
  }
}

void ReadHeaders(GMimeMessage* message, ParsedEmail& email) {
  GMimeObject* object = GMIME_OBJECT(message);
  GMimeHeaderList* list = g_mime_object_get_header_list(object);
  for (int i = 0; i < g_mime_header_list_get_count(list); ++i) {
    GMimeHeader* header = g_mime_header_list_get_header_at(list, i);
    email.headers.emplace_back(OrEmpty(g_mime_header_get_name(header)),
                               OrEmpty(g_mime_header_get_value(header)));
  }
  email.subject = OrEmpty(g_mime_message_get_subject(message));
  email.from = AddressListText(g_mime_message_get_from(message));
  email.to = AddressListText(g_mime_message_get_to(message));
  std::vector<MailAddress> from;
  AppendMailboxes(g_mime_message_get_from(message), from);
  if (!from.empty()) email.from_mailbox = from.front();
  AppendMailboxes(g_mime_message_get_to(message), email.to_mailboxes);
  std::vector<MailAddress> reply_to;
  AppendMailboxes(g_mime_message_get_reply_to(message), reply_to);
  if (!reply_to.empty()) email.reply_to = reply_to.front().address;
  email.message_id = OrEmpty(g_mime_message_get_message_id(message));
  email.in_reply_to = DecodedMessageId(g_mime_object_get_header(object, "In-Reply-To"));
  if (const char* references = g_mime_object_get_header(object, "References")) {
    GMimeReferences* parsed = g_mime_references_parse(nullptr, references);
    for (int i = 0; parsed != nullptr && i < g_mime_references_length(parsed); ++i) {
      email.references.push_back(OrEmpty(g_mime_references_get_message_id(parsed, i)));
    }
    if (parsed != nullptr) g_mime_references_free(parsed);
  }
  if (GDateTime* date = g_mime_message_get_date(message)) {
    email.date = TimePoint(std::chrono::seconds(g_date_time_to_unix(date)));
  }
}

// Every text as valid UTF-8: a message may carry any bytes (8-bit headers, a body that
// lies about its charset), and what is read from it ends up in JSON, HTML and the store.
void MakeValid(ParsedEmail& e) {
  auto fix = [](std::string& s) { s = ValidUtf8(s); };
  for (auto& [name, value] : e.headers) fix(name), fix(value);
  for (std::string* s : {&e.subject, &e.from, &e.to, &e.reply_to, &e.message_id, &e.in_reply_to,
                         &e.content_type, &e.report_type, &e.text, &e.html, &e.delivery_status,
                         &e.original_message_id, &e.feedback_report}) {
    fix(*s);
  }
  fix(e.from_mailbox.name);
  fix(e.from_mailbox.address);
  for (MailAddress& m : e.to_mailboxes) fix(m.name), fix(m.address);
  for (std::string& r : e.references) fix(r);
}

}  // namespace

std::string ParsedEmail::Header(std::string_view name) const {
  for (const auto& [header, value] : headers) {
    if (header.size() == name.size() &&
        g_ascii_strncasecmp(header.data(), name.data(), name.size()) == 0) {
      return value;
    }
  }
  return {};
}

StatusOr<ParsedEmail> ParseMime(std::string_view bytes) {
  if (bytes.size() > kMaxMessageBytes) {
    return TooLarge("mime_too_large", fmt::format("the message is {} bytes; at most {} are read",
                                                  bytes.size(), kMaxMessageBytes));
  }
  gmime::EnsureInitialized();
  gmime::Ref<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size()));
  gmime::Ref<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  gmime::Ref<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
  if (message == nullptr) {
    return InvalidArgument("mime_unparseable", "the bytes are not a MIME message");
  }
  ParsedEmail email;
  ReadHeaders(message.get(), email);
  GMimeObject* body = g_mime_message_get_mime_part(message.get());
  if (body != nullptr) {
    GMimeContentType* content_type = g_mime_object_get_content_type(body);
    gmime::GChars type(g_mime_content_type_get_mime_type(content_type));
    email.content_type = OrEmpty(type.get());
    if (g_mime_content_type_is_type(content_type, "multipart", "report")) {
      email.report_type =
          LowerAscii(OrEmpty(g_mime_content_type_get_parameter(content_type, "report-type")));
    }
    ReadParts(body, email, 0);
  }
  MakeValid(email);
  return email;
}

}  // namespace tandem::email
