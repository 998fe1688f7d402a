// Tests of the report on a KZ-like shutdown written into a temporary SQLite store: probing drops to
// 5% of its level while BGP stays announced.
#include "blackout/report/report.h"

#include <cairo.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "blackout/store/store.h"
#include "blackout/testing/testing.h"

namespace blackout::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

UnixSeconds T(const char* iso) { return ParseTime(iso).value(); }

// Writes series for country/KZ (bgp steady, probe 5% during the event, a gap of missing bins),
// region/KZ-ALA (series only, no event) and the event.
std::unique_ptr<store::Store> MakeStore(const std::string& url) {
  auto st = store::OpenStore(url);
  EXPECT_TRUE(st.ok()) << st.status().ToString();
  store::WriteBatch b;
  const UnixSeconds start = T("2022-01-05T10:45:00Z"), end = T("2022-01-11T06:00:00Z");
  for (UnixSeconds t = T("2022-01-03T00:00:00Z"); t < T("2022-01-14T00:00:00Z"); t += 300) {
    bool in = t >= start && t < end;
    bool gap = t >= T("2022-01-12T10:00:00Z") && t < T("2022-01-12T14:00:00Z");
    b.AddPoint({"country/KZ", "bgp", ""}, t, 1000 + (t / 300) % 7);
    b.AddPoint({"country/KZ", "probe", ""}, t, gap ? store::kMissing : in ? 200 : 4000);
    b.AddPoint({"country/KZ", "bgp-25", ""}, t, 900);
    b.AddPoint({"region/KZ-ALA", "probe", ""}, t, 800);
  }
  store::Event e;
  e.id = "kz-2022";
  e.entity = "country/KZ";
  e.start = start;
  e.end = end;
  e.depth = 0.05;
  e.score = 123456;
  e.signals = {"probe"};
  e.technique = store::Technique::kPacketsFiltered;
  e.phases = {{store::Phase::kNearTotalBlackout, start, T("2022-01-10T08:00:00Z"), 0.05},
              {store::Phase::kPartialRecovery, T("2022-01-10T08:00:00Z"), end, 0.4}};
  e.related = {"region/KZ-ALA", "region/KZ-AST", "asn/9198"};
  e.method = "test";
  b.AddEvent(e);
  EXPECT_TRUE((*st)->Apply(b).ok());
  return std::move(st).value();
}

ReportOptions Options() {
  ReportOptions o;
  o.width = 1000;
  o.height = 500;
  o.name = [](std::string_view entity) -> std::string {
    return entity == "asn/9198" ? "JSC Kazakhtelecom" : "";
  };
  return o;
}

struct Image {
  int width = 0, height = 0;
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface{nullptr,
                                                                             cairo_surface_destroy};
  // (r, g, b) of pixel (x, y); the chart is opaque so premultiplication does not matter.
  std::array<int, 3> Pixel(int x, int y) const {
    const unsigned char* data = cairo_image_surface_get_data(surface.get());
    int stride = cairo_image_surface_get_stride(surface.get());
    uint32_t px;
    std::memcpy(&px, data + y * stride + x * 4, 4);
    return {static_cast<int>(px >> 16 & 255), static_cast<int>(px >> 8 & 255),
            static_cast<int>(px & 255)};
  }
};

struct Reader {
  const std::string* bytes;
  size_t pos = 0;
};

cairo_status_t ReadPng(void* closure, unsigned char* data, unsigned int length) {
  auto* r = static_cast<Reader*>(closure);
  if (r->pos + length > r->bytes->size()) return CAIRO_STATUS_READ_ERROR;
  std::memcpy(data, r->bytes->data() + r->pos, length);
  r->pos += length;
  return CAIRO_STATUS_SUCCESS;
}

Image Decode(const std::string& png) {
  Image img;
  Reader reader{&png};
  img.surface.reset(cairo_image_surface_create_from_png_stream(ReadPng, &reader));
  EXPECT_EQ(cairo_surface_status(img.surface.get()), CAIRO_STATUS_SUCCESS);
  img.width = cairo_image_surface_get_width(img.surface.get());
  img.height = cairo_image_surface_get_height(img.surface.get());
  return img;
}

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override { st_ = MakeStore(url_); }
  blackout::testing::TempDir dir_;
  std::string url_ = "sqlite:" + (dir_ / "store.db").string();
  std::unique_ptr<store::Store> st_;
};

TEST_F(ReportTest, StatementStatesTheMeasuredFacts) {
  auto r = BuildReport(*st_, "country/KZ", T("2022-01-03"), T("2022-01-14"), Options());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->events.size(), 1u);
  const std::string& md = r->markdown;
  EXPECT_THAT(md, HasSubstr("Metrics show a nation-scale disruption to internet connectivity in "
                            "Kazakhstan from 5 January 2022 10:45 UTC to 11 January 2022 06:00 "
                            "UTC (5 days 19 hours 15 minutes)"));
  EXPECT_THAT(md, HasSubstr("BGP routes stayed announced"));
  EXPECT_THAT(md, HasSubstr("active probing fell to 5% of ordinary levels, consistent with "
                            "filtering rather than route withdrawal"));
  EXPECT_THAT(md, HasSubstr("| probe | 5% |"));
  EXPECT_THAT(md, HasSubstr("| bgp | 100% |"));
  EXPECT_THAT(md, Not(HasSubstr("bgp-25")));  // canonical signals only
  EXPECT_THAT(md, HasSubstr("- Start: 2022-01-05T10:45:00Z"));
  EXPECT_THAT(md, HasSubstr("- End: 2022-01-11T06:00:00Z"));
  EXPECT_THAT(md, HasSubstr("Near-total blackout: 5 January 2022 10:45 UTC – 10 January 2022 "
                            "08:00 UTC (lowest 5% of expected)"));
  EXPECT_THAT(md, HasSubstr("Partial recovery: 10 January 2022 08:00 UTC – 11 January 2022 06:00"));
  EXPECT_THAT(md, HasSubstr("Affected regions: Almaty (KZ-ALA), Nur-Sultan (KZ-AST)."));
  EXPECT_THAT(md, HasSubstr("Affected networks (ASNs): AS9198 JSC Kazakhtelecom."));
  EXPECT_THAT(md, HasSubstr("RIPE RIS and RouteViews"));
  EXPECT_THAT(md, HasSubstr("DB-IP (CC BY 4.0"));
  EXPECT_THAT(md, HasSubstr("median"));  // the caption says how signals are normalised
}

TEST_F(ReportTest, OngoingEventAndOtherTechniques) {
  // A window ending inside the event: the event is reported, its end is what was measured.
  auto r = BuildReport(*st_, "country/KZ", T("2022-01-04"), T("2022-01-07"), Options());
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->markdown, HasSubstr("from 5 January 2022 10:45 UTC to 11 January 2022"));

  store::WriteBatch b;
  store::Event e;
  e.id = "ala";
  e.entity = "region/KZ-ALA";
  e.start = T("2022-01-06T00:00:00Z");
  e.technique = store::Technique::kRoutesWithdrawn;
  b.AddEvent(e);
  ASSERT_TRUE(st_->Apply(b).ok());
  auto a = BuildReport(*st_, "region/KZ-ALA", T("2022-01-03"), T("2022-01-08"), Options());
  ASSERT_TRUE(a.ok());
  EXPECT_THAT(a->markdown, HasSubstr("a regional disruption to internet connectivity in Almaty"));
  EXPECT_THAT(a->markdown, HasSubstr("ongoing at the end of the window (8 January 2022 00:00 UTC, "
                                     "2 days so far)"));
  EXPECT_THAT(a->markdown, HasSubstr("- End: ongoing"));
  EXPECT_THAT(a->markdown, HasSubstr("consistent with route withdrawal"));
}

TEST_F(ReportTest, NoEventInWindowIsSaidPlainly) {
  auto r = BuildReport(*st_, "country/KZ", T("2022-01-12"), T("2022-01-14"), Options());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->events.empty());
  EXPECT_THAT(r->markdown, HasSubstr("No disruption to internet connectivity in Kazakhstan was "
                                     "measured between 12 January 2022 00:00 UTC and 14 January "
                                     "2022 00:00 UTC"));
  EXPECT_THAT(r->markdown, Not(HasSubstr("Metrics show")));
  Image img = Decode(r->png);
  EXPECT_EQ(img.width, 1000);
}

TEST_F(ReportTest, ErrorsForUnknownEntityAndBadArguments) {
  auto r = BuildReport(*st_, "country/XX", T("2022-01-03"), T("2022-01-14"));
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  r = BuildReport(*st_, "country/KZ", T("2022-01-14"), T("2022-01-03"));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  r = BuildReport(*st_, "not an entity", T("2022-01-03"), T("2022-01-14"));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  ReportOptions tiny;
  tiny.width = 10;
  r = BuildReport(*st_, "country/KZ", T("2022-01-03"), T("2022-01-14"), tiny);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ReportTest, ChartIsAPngOfTheRequestedSizeWithTheEventShaded) {
  auto r = BuildReport(*st_, "country/KZ", T("2022-01-03"), T("2022-01-14"), Options());
  ASSERT_TRUE(r.ok());
  ASSERT_GT(r->png.size(), 8u);
  EXPECT_EQ(r->png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  Image img = Decode(r->png);
  EXPECT_EQ(img.width, 1000);
  EXPECT_EQ(img.height, 500);
  // Plot area: left 70, right width-20, top 50. Just under the top edge no line is drawn (the
  // y axis goes to 120%), so inside the event the pixel is the shading, outside it is white.
  auto x_of = [&](const char* iso) {
    double f = static_cast<double>(T(iso) - T("2022-01-03")) /
               static_cast<double>(T("2022-01-14") - T("2022-01-03"));
    return static_cast<int>(70 + (1000 - 20 - 70) * f);
  };
  auto in = img.Pixel(x_of("2022-01-08T08:00:00Z"), 58);
  EXPECT_GT(in[0], in[1] + 20) << in[0] << "," << in[1] << "," << in[2];  // reddish
  EXPECT_LT(in[1], 245);
  auto out = img.Pixel(x_of("2022-01-04T08:00:00Z"), 58);
  EXPECT_EQ(out, (std::array<int, 3>{255, 255, 255}));
  auto after = img.Pixel(x_of("2022-01-13T08:00:00Z"), 58);
  EXPECT_EQ(after, (std::array<int, 3>{255, 255, 255}));
  Status s = WriteReport(*r, dir_ / "out");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(blackout::testing::ReadFile(dir_ / "out" / "chart.png"), r->png);
  EXPECT_EQ(blackout::testing::ReadFile(dir_ / "out" / "report.md"), r->markdown);
}

TEST(ComposeReport, WorksWithoutAStore) {
  store::Series probe{{"asn/9198", "probe", ""}, T("2022-01-05T00:00:00Z"), 3600, {}};
  for (int i = 0; i < 48; ++i) probe.values.push_back(i >= 20 && i < 30 ? 10 : 100);
  store::Event e;
  e.entity = "asn/9198";
  e.start = T("2022-01-05T20:00:00Z");
  e.end = T("2022-01-06T06:00:00Z");
  e.technique = store::Technique::kPacketsFiltered;
  auto r = ComposeReport("asn/9198", T("2022-01-05"), T("2022-01-07"), {e}, {probe}, Options());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->name, "JSC Kazakhtelecom");
  EXPECT_THAT(r->markdown, HasSubstr("a network-level disruption to internet connectivity in JSC "
                                     "Kazakhtelecom from 5 January 2022 20:00 UTC to 6 January "
                                     "2022 06:00 UTC (10 hours)"));
  EXPECT_THAT(r->markdown, HasSubstr("active probing fell to 10% of ordinary levels"));
  EXPECT_EQ(Decode(r->png).height, 500);
}

TEST(ReportFormat, TimesAndDurations) {
  EXPECT_EQ(FormatLongTime(T("2022-01-05T10:45:00Z")), "5 January 2022 10:45 UTC");
  EXPECT_EQ(FormatDuration(59), "less than a minute");
  EXPECT_EQ(FormatDuration(3600), "1 hour");
  EXPECT_EQ(FormatDuration(2 * 86400 + 60 * 5), "2 days 5 minutes");
}

// --- the `blackout report` command

std::string Cli(const std::string& args) {
  return blackout::testing::BlackoutBinary().string() + " " + args;
}

TEST_F(ReportTest, CliWritesFilesAndJsonAndUsesExitCodes) {
  std::string out = (dir_ / "cli").string();
  auto ok =
      blackout::testing::RunCommand(Cli("report country/KZ --from 2022-01-03 --until "
                                        "1642118400 --out " +
                                        out + " --store " + url_));
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_THAT(blackout::testing::ReadFile(dir_ / "cli" / "report.md"),
              HasSubstr("in Kazakhstan from 5 January 2022 10:45 UTC"));
  EXPECT_EQ(blackout::testing::ReadFile(dir_ / "cli" / "chart.png").substr(1, 3), "PNG");

  auto js =
      blackout::testing::RunCommand(Cli("--json report country/KZ --from 2022-01-03 "
                                        "--until 2022-01-14 --out " +
                                        out + " --store " + url_));
  ASSERT_EQ(js.exit_code, 0) << js.err;
  auto j = nlohmann::json::parse(js.out);
  EXPECT_THAT(j["markdown"].get<std::string>(), HasSubstr("Metrics show"));
  EXPECT_EQ(j["chart"], (dir_ / "cli" / "chart.png").string());
  ASSERT_EQ(j["events"].size(), 1u);
  EXPECT_EQ(j["events"][0]["startIso"], "2022-01-05T10:45:00Z");
  EXPECT_EQ(j["events"][0]["technique"], "packets-filtered");

  auto none = blackout::testing::RunCommand(Cli(
      "report country/XX --from 2022-01-03 --until 2022-01-14 --out " + out + " --store " + url_));
  EXPECT_EQ(none.exit_code, 1) << none.err;
  auto bad_time = blackout::testing::RunCommand(
      Cli("report country/KZ --from yesterday --until 2022-01-14 --store " + url_));
  EXPECT_EQ(bad_time.exit_code, 2);
  auto reversed = blackout::testing::RunCommand(
      Cli("report country/KZ --from 2022-01-14 --until 2022-01-03 --store " + url_));
  EXPECT_EQ(reversed.exit_code, 2);
  auto bad_entity = blackout::testing::RunCommand(
      Cli("report KZ --from 2022-01-03 --until 2022-01-14 --store " + url_));
  EXPECT_EQ(bad_entity.exit_code, 2);
  auto missing = blackout::testing::RunCommand(Cli("report country/KZ --until 2022-01-14"));
  EXPECT_EQ(missing.exit_code, 2);
  auto no_store = blackout::testing::RunCommand(
      Cli("report country/KZ --from 2022-01-03 --until 2022-01-14 --store sqlite:" +
          (dir_ / "absent" / "none.db").string()));
  EXPECT_EQ(no_store.exit_code, 3) << no_store.err;
}

}  // namespace
}  // namespace blackout::report
