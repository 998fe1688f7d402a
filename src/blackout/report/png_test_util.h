// Test helper for the report's tests (chart_test.cc, report_test.cc): a rendered PNG read back
// with cairo, and its pixels. Not part of the library.
#pragma once

#include <cairo.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

namespace blackout::report::testing {

struct Image {
  int width = 0, height = 0;
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface{nullptr,
                                                                             cairo_surface_destroy};
  // (r, g, b) of pixel (x, y); the chart is opaque so premultiplication does not matter.
  std::array<int, 3> Pixel(double x, double y) const {
    const unsigned char* data = cairo_image_surface_get_data(surface.get());
    const int stride = cairo_image_surface_get_stride(surface.get());
    uint32_t px;
    std::memcpy(&px, data + static_cast<int>(y) * stride + static_cast<int>(x) * 4, 4);
    return {static_cast<int>(px >> 16 & 255), static_cast<int>(px >> 8 & 255),
            static_cast<int>(px & 255)};
  }
};

// Decodes PNG bytes (a failed decode is a test failure).
inline Image Decode(const std::string& png) {
  struct Reader {
    const std::string* bytes;
    size_t pos = 0;
  };
  auto read = [](void* closure, unsigned char* data, unsigned int length) {
    auto* r = static_cast<Reader*>(closure);
    if (r->pos + length > r->bytes->size()) return CAIRO_STATUS_READ_ERROR;
    std::memcpy(data, r->bytes->data() + r->pos, length);
    r->pos += length;
    return CAIRO_STATUS_SUCCESS;
  };
  Image img;
  Reader reader{&png};
  img.surface.reset(cairo_image_surface_create_from_png_stream(read, &reader));
  EXPECT_EQ(cairo_surface_status(img.surface.get()), CAIRO_STATUS_SUCCESS);
  img.width = cairo_image_surface_get_width(img.surface.get());
  img.height = cairo_image_surface_get_height(img.surface.get());
  return img;
}

}  // namespace blackout::report::testing
