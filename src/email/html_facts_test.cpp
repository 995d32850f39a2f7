// What the check reads of an email's HTML (lint_test reads the facts themselves): the
// document given to the parser with runs of text as placeholders gives the same facts as
// the document as written, for markup a scanner could misread (comments, raw text,
// attributes with '>' in them, tables that move text, <pre>'s first line break) and for a
// typical email.
#include "email/html_facts.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tandem::email {
namespace {

void ExpectSameAsWritten(const std::string& html) {
  const HtmlFacts compact = ReadHtml(html), whole = ReadHtmlAsWritten(html);
  EXPECT_EQ(compact.text, whole.text) << html;  // the likeliest difference, shown
  EXPECT_TRUE(compact == whole) << html;
}

TEST(HtmlFactsTest, PlaceholdersGiveTheFactsOfTheDocumentAsWritten) {
  const std::vector<std::string> documents = {
      "<p>Plain text that is long enough</p>",
      "Text before any tag, then <b>bold words here</b> and after",
      "<table><tr><td>cell text here</td></tr>text in a table moves out<tr><td>x</td></tr>"
      "</table>",
      "<table>   \n  <tr><td>  spaced cell  </td></tr>  </table>",
      "<pre>\nfirst line kept apart</pre><pre>\n\n two breaks</pre><textarea>\nabc def"
      "</textarea><listing>\nlisting text</listing>",
      "<p>a < b and c > d, not tags at all</p><p>x <3 y</p>",
      "<!-- a comment with <p>tags</p> inside --> after the comment text",
      "<!--> short comment then text</p> <!---> another then text",
      "<!-- ends with bang --!> text after the bang",
      "<!DOCTYPE html><?php echo 'x' ?> text after processing",
      "<p title=\"a > b text\">inside the paragraph</p><p title='single > quote'>again</p>",
      "<p data=a>b>unquoted attribute then text</p>",
      "<style>p { content: '</p><a href=x>not a link</a>' }</style> real text after style",
      "<STYLE>body{}</STYLE >Upper case style then text",
      "<title>the title text</title><p>body text here</p>",
      "<textarea><a href='x'>not a link</a></textarea> after area",
      "<xmp><b>literal</b></xmp><iframe><p>raw</p></iframe><noembed>a</noembed>after all",
      "<script>var s = '<a href=\"x\">no</a>';</script><p>after the script</p>",
      "<noscript><p>maybe text</p></noscript><p>after noscript</p>",
      "<svg><title>svg title</title><text>svg text here</text></svg><p>after svg</p>",
      "<p>entities &amp; &lt;b&gt; and &copy text</p><p>no entity here at all</p>",
      "<p>carriage\r\nreturns\rinside text</p>",
      std::string("<p>a nul \0 inside text</p>", 26),
      "<a href='one'>first link <a href='two'>second link</a> after</a>",
      "<a href='x'><p>block in link text</p></a>",
      "<b><i>misnested bold and italic</b> text after</i> end",
      "<p>unclosed paragraph<p>another paragraph<div>a division</div>",
      "<frameset><frame></frameset>text after frameset",
      "</p>stray end tag text</br>more text</ p>and a bogus one</>empty end",
      "<p>text at the very end without closing",
      "<p>text then a tag cut off <a href=\"x",
      "<p>text then an unclosed comment <!-- never ends",
      "<template><p>template content text</p></template> after template",
      "<select><option>option one text<option>option two text</select>",
      "<head> text in the head moves to body <meta charset=utf-8></head><body>body</body>",
      "<p>private \xEE\x80\x80 character means as written</p>",
      "<p>\xC3\xA9t\xC3\xA9 unicode text \xE2\x80\x94 dash</p>",
      "<p>tab\tseparated\fform feed text</p>",
      "<table><tr><td>a</td></tr>   <caption>cap text</caption></table>",
      "<p><img src='a.png' alt='alt text'>around the image text</p>",
      "<plaintext><p>all of this is text</p>",
      "<body><p>one</p></body> after body text </html> after html text",
  };
  for (const std::string& html : documents) ExpectSameAsWritten(html);
}

TEST(HtmlFactsTest, ATypicalEmailReadsTheSame) {
  std::string html =
      "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Venues</title>"
      "<style>body{margin:0}</style></head><body style=\"margin:0\">"
      "<table role=\"presentation\" width=\"600\" align=\"center\">\n";
  for (int i = 0; i < 20; ++i) {
    html +=
        "<tr><td style=\"padding:24px 32px;font-family:Helvetica\">\n"
        "<img src=\"https://cdn.example.com/" +
        std::to_string(i) +
        ".png\" width=\"536\" height=\"268\" alt=\"Venue by the water\">\n"
        "<h2 style=\"font-size:22px\">Venue " +
        std::to_string(i) +
        ": a room for your whole team</h2>\n<p>You told us your team is growing. "
        "What would make your offsite a success?</p>\n<a href=\"https://example.com/v/" +
        std::to_string(i) + "\" style=\"color:#fff\">See venue " + std::to_string(i) +
        "</a></td></tr>\n";
  }
  html += "</table></body></html>";
  ExpectSameAsWritten(html);
}

}  // namespace
}  // namespace tandem::email
