// The columns of HubSpot's and Salesforce's exports, and a mapping file for anything
// else, mapped to a lead's fields; each row read into a lead or rejected with its line.
#include <gtest/gtest.h>

#include "imports/lead_import.h"

namespace tandem {
namespace {

CsvRecord Row(int64_t line, std::vector<std::string> fields) { return {line, std::move(fields)}; }

TEST(LeadImportTest, HubSpotsExportIsRecognizedAndItsRowsRead) {
  const std::vector<std::string> header = {"Record ID",          "First Name",
                                           "Last Name",          "Email",
                                           "Phone Number",       "Company Name",
                                           "Job Title",          "Contact owner",
                                           "Lifecycle Stage",    "Unsubscribed from all email",
                                           "Mobile Phone Number"};
  auto mapping = MapColumns(header);
  ASSERT_TRUE(mapping.ok()) << mapping.status().ToString();
  EXPECT_EQ(mapping->recognized_as, "HubSpot");
  EXPECT_EQ(mapping->ignored,
            (std::vector<std::string>{"Record ID", "Lifecycle Stage", "Mobile Phone Number"}));
  auto row = ReadLeadRow(Row(2, {"101", "Ana", "Diaz", " Ana@Acme.example ", "+44 20 7946 0018",
                                 "Acme", "CMO", "rep@meetco.example", "lead", "true", "+44 7700"}),
                         *mapping, ImportDefaults{});
  ASSERT_TRUE(std::holds_alternative<ImportedLead>(row)) << std::get<CsvProblem>(row).message;
  const ImportedLead& lead = std::get<ImportedLead>(row);
  EXPECT_EQ(lead.line, 2);
  EXPECT_EQ(lead.email, "ana@acme.example");
  EXPECT_EQ(lead.name, "Ana Diaz");
  EXPECT_EQ(lead.company, "Acme");
  EXPECT_EQ(lead.title, "CMO");
  EXPECT_EQ(lead.owner, "rep@meetco.example");
  EXPECT_TRUE(lead.email_opt_out);
  EXPECT_FALSE(lead.do_not_call);
  EXPECT_EQ(lead.address_source, "import");
  EXPECT_EQ(lead.consent_basis, "none");
}

TEST(LeadImportTest, SalesforcesExportIsRecognized) {
  auto mapping = MapColumns({"Lead ID", "Email", "Company", "Title", "Lead Owner", "Email Opt Out",
                             "Do Not Call", "Lead Source"});
  ASSERT_TRUE(mapping.ok());
  EXPECT_EQ(mapping->recognized_as, "Salesforce");
  auto row = ReadLeadRow(
      Row(7, {"00Q1", "bo@b.example", "Bee Co", "VP Sales", "Rafael Ortiz", "0", "1", "Web"}),
      *mapping, ImportDefaults{"purchased", "none"});
  const ImportedLead& lead = std::get<ImportedLead>(row);
  EXPECT_FALSE(lead.email_opt_out);
  EXPECT_TRUE(lead.do_not_call);
  EXPECT_EQ(lead.owner, "Rafael Ortiz");
  EXPECT_EQ(lead.address_source, "purchased");
}

TEST(LeadImportTest, AMappingFileMapsAnyHeaderAndNamesItsBadLine) {
  auto custom =
      ReadMappingFile({Row(1, {"column", "field"}), Row(2, {"E-Mail-Adresse", "email"}),
                       Row(3, {"Firma", "company"}), Row(4, {"Quelle", "address_source"})});
  ASSERT_TRUE(custom.ok()) << custom.status().ToString();
  auto mapping = MapColumns({"E-Mail-Adresse", "Firma", "Quelle", "Notiz"}, *custom);
  ASSERT_TRUE(mapping.ok());
  EXPECT_EQ(mapping->recognized_as, "mapping file");
  EXPECT_EQ(mapping->ignored, std::vector<std::string>{"Notiz"});
  auto row = ReadLeadRow(Row(3, {"jo@j.example", "Jot GmbH", "Form", "x"}), *mapping, {});
  EXPECT_EQ(std::get<ImportedLead>(row).address_source, "form");
  auto bad = ReadMappingFile({Row(1, {"Firma", "firm"})});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("mapping line 1: \"firm\" is no lead field"),
            std::string::npos);
}

TEST(LeadImportTest, AFileWithoutAnEmailColumnOrWithTwoForOneFieldIsRefused) {
  auto none = MapColumns({"Name", "Company"});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("no column gives the email address"), std::string::npos);
  auto twice = MapColumns({"Email", "Name", "E-mail"});
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(
      twice.status().message().find("columns 1 (\"Email\") and 3 (\"E-mail\") both give email"),
      std::string::npos)
      << twice.status().message();
}

TEST(LeadImportTest, BadRowsAreRejectedWithTheirLineAndWhy) {
  auto mapping = *MapColumns({"Email", "Name", "Email Opt Out", "address_source", "consent_basis"});
  const auto why = [&](std::vector<std::string> fields) {
    auto row = ReadLeadRow(Row(12, std::move(fields)), mapping, {});
    return std::holds_alternative<CsvProblem>(row) ? std::get<CsvProblem>(row).message : "";
  };
  EXPECT_EQ(why({"bob@", "Bob", "", "", ""}), "line 12: email \"bob@\" is not an email address");
  EXPECT_EQ(why({"", "Bob", "", "", ""}), "line 12: no email address");
  EXPECT_EQ(why({"b@b.example", "Bob", "maybe", "", ""}),
            "line 12: email_opt_out \"maybe\" must be yes or no (true/false, 1/0)");
  EXPECT_NE(why({"b@b.example", "Bob", "", "scraped", ""}).find("address source \"scraped\""),
            std::string::npos);
  EXPECT_EQ(why({"b@b.example", "Bob", "", "harvested", "consent"}),
            "line 12: a harvested address carries no consent given to you: its consent basis "
            "must be none");
  EXPECT_NE(
      why({"b@b.example", "Bob", "", "", "", "extra"}).find("6 fields where the header has 5"),
      std::string::npos);
  // Consent is kept with the words the person agreed to: without them, the row is refused.
  EXPECT_NE(why({"b@b.example", "Bob", "", "form", "consent"}).find("needs the consent's wording"),
            std::string::npos);
  EXPECT_EQ(why({"b@b.example", "Bob", "", "form", "none"}), "");
}

}  // namespace
}  // namespace tandem
