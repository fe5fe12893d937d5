// schemac_bench_gen: writes the deterministic benchmark workload of `schemac check` (bench/README.md).
//
//   schemac_bench_gen --tables N [--files K] OUT
//
// Writes a valid schema of N tables, either to the single file OUT or, with --files K, as K files
// OUT/part_000.schema ... into the directory OUT (created if missing; stale part_*.schema files from
// an earlier run with more files are removed). The same arguments always produce the same bytes: the
// only source of variation is a hash of the table number (no clock, no std::random distributions, whose
// results differ between standard libraries).
//
// Per table (about 20 lines): 12 columns (bigint identity primary key, text not null unique,
// numeric(12,2) with default and check, timestamptz default now(), a plain timestamptz, an enum-typed
// status with default, jsonb, text[], a domain-typed column, a not-null foreign key to an earlier table
// with on delete cascade, a nullable foreign key, one rotating extra column), an expression index on
// lower(...), a partial index with `where`, a named table check and a comment. Every 10th table lives in
// schema billing. Every 50th table is followed by a view joining it to its parent table, every 100th by a
// plpgsql trigger function and its trigger, every 250th by a materialized view. The top of the schema
// declares an extension, two schemas, four enums, three domains and three sequences.
#include <fmt/format.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace fs = std::filesystem;

namespace {

constexpr int kViewEvery = 50;
constexpr int kTriggerEvery = 100;
constexpr int kMatViewEvery = 250;
constexpr int kBillingEvery = 10;  // table i with i % 10 == 7 is billing.<name>
constexpr int kHubTables = 20;     // nullable foreign keys point at one of the first tables
constexpr int kParentWindow = 200; // the not-null foreign key points at one of the previous 200 tables

// splitmix64: a fixed, portable hash, so the output does not depend on the standard library.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The k-th pseudo-random number of table i.
uint64_t Rand(int i, int k) { return Mix((static_cast<uint64_t>(i) << 8) ^ static_cast<uint64_t>(k)); }

struct Noun {
  const char* plural;
  const char* singular;
};
constexpr Noun kNouns[] = {
    {"customers", "customer"}, {"orders", "order"},         {"invoices", "invoice"},
    {"products", "product"},   {"shipments", "shipment"},   {"payments", "payment"},
    {"tickets", "ticket"},     {"accounts", "account"},     {"projects", "project"},
    {"tasks", "task"},         {"documents", "document"},   {"suppliers", "supplier"},
    {"warehouses", "warehouse"}, {"reviews", "review"},     {"subscriptions", "subscription"},
    {"devices", "device"},
};
constexpr int kNounCount = sizeof(kNouns) / sizeof(kNouns[0]);

struct EnumInfo {
  const char* type;      // as written in a column of a public table
  const char* fallback;  // the default value
  const char* partial;   // predicate of the partial index
  const char* check;     // a label used by the named table check
};
constexpr EnumInfo kEnums[] = {
    {"order_status", "pending", "status <> 'cancelled'", "cancelled"},
    {"account_state", "active", "status = 'active'", "closed"},
    {"ticket_priority", "normal", "status in ('high', 'urgent')", "low"},
};
constexpr EnumInfo kBillingEnum = {"billing.invoice_state", "draft", "status in ('draft', 'issued')",
                                   "void"};

constexpr const char* kCodeNames[] = {"code", "slug", "sku", "reference", "handle", "external_key"};
constexpr const char* kAmountNames[] = {"amount", "price", "balance", "total", "weight", "budget"};
constexpr const char* kPayloadNames[] = {"payload", "attributes", "metadata", "settings"};
constexpr const char* kTagNames[] = {"tags", "labels", "categories", "aliases"};

bool InBilling(int i) { return i % kBillingEvery == 7; }

std::string BaseName(int i) { return fmt::format("{}_{:05d}", kNouns[Rand(i, 0) % kNounCount].plural, i); }

// The name to write where table i is referenced.
std::string RefName(int i) { return InBilling(i) ? "billing." + BaseName(i) : BaseName(i); }

const char* Singular(int i) { return kNouns[Rand(i, 0) % kNounCount].singular; }

int ParentOf(int i) {
  if (i == 0) return 0;  // the first table refers to itself (a tree)
  const int window = i < kParentWindow ? i : kParentWindow;
  return i - 1 - static_cast<int>(Rand(i, 1) % static_cast<uint64_t>(window));
}

int HubOf(int i) {
  if (i == 0) return 0;
  const int hubs = i < kHubTables ? i : kHubTables;
  return static_cast<int>(Rand(i, 2) % static_cast<uint64_t>(hubs));
}

const EnumInfo& EnumOf(int i) { return InBilling(i) ? kBillingEnum : kEnums[Rand(i, 3) % 3]; }

const char* CodeName(int i) { return kCodeNames[Rand(i, 4) % 6]; }
const char* AmountName(int i) { return kAmountNames[Rand(i, 5) % 6]; }

std::string ParentColumn(int i) { return fmt::format("{}_id", Singular(ParentOf(i))); }

void Preamble(std::string& out, int tables) {
  out += fmt::format(
      "-- Generated by `schemac_bench_gen --tables {}`: the workload of bench/run_check.sh. Do not edit.\n"
      "\n"
      "extension pgcrypto\n"
      "\n"
      "schema billing\n"
      "schema audit\n"
      "\n"
      "enum order_status {{ pending, paid, shipped, cancelled }}\n"
      "enum account_state {{ active, suspended, closed }}\n"
      "enum ticket_priority {{ low, normal, high, urgent }}\n"
      "enum billing.invoice_state {{ draft, issued, paid, void }}\n"
      "\n"
      "domain email_address text check (value ~ '^[^@]+@[^@]+$')\n"
      "domain positive_amount numeric(12,2) check (value >= 0)\n"
      "domain short_code varchar(32) check (length(value) between 1 and 32)\n"
      "\n"
      "sequence invoice_no start 1000 increment 1\n"
      "sequence billing.receipt_no start 1 increment 1 cache 10\n"
      "sequence audit.event_no as bigint start with 1\n"
      "\n",
      tables);
}

void Table(std::string& out, int i, int tables) {
  const std::string name = BaseName(i);
  const std::string qname = RefName(i);
  const EnumInfo& en = EnumOf(i);
  const char* code = CodeName(i);
  const char* amount = AmountName(i);
  const char* payload = kPayloadNames[Rand(i, 6) % 4];
  const char* tags = kTagNames[Rand(i, 7) % 4];
  const int parent = ParentOf(i);
  const int hub = HubOf(i);
  const std::string parent_col = ParentColumn(i);
  const std::string hub_col = fmt::format("related_{}_id", Singular(hub));

  out += fmt::format("table {} {{\n", qname);
  out += "  id            bigint generated always as identity primary key\n";
  out += fmt::format("  {:<13} text not null unique\n", code);
  out += fmt::format("  {:<13} numeric(12,2) not null default 0 check ({} >= 0)\n", amount, amount);
  out += "  created_at    timestamptz not null default now()\n";
  out += "  updated_at    timestamptz\n";
  out += fmt::format("  status        {} not null default '{}'\n", en.type, en.fallback);
  out += fmt::format("  {:<13} jsonb not null default '{{}}'\n", payload);
  out += fmt::format("  {:<13} text[]\n", tags);
  switch (Rand(i, 8) % 3) {
    case 0: out += "  contact       email_address\n"; break;
    case 1: out += "  deposit       positive_amount\n"; break;
    default: out += "  short_name    short_code not null\n"; break;
  }
  if (i == 0) {
    out += fmt::format("  {:<13} bigint references {} (id) on delete cascade\n", parent_col, qname);
  } else {
    out += fmt::format("  {:<13} bigint not null references {} (id) on delete cascade\n", parent_col,
                       RefName(parent));
  }
  out += fmt::format("  {:<13} bigint references {} (id) on delete set null\n", hub_col, RefName(hub));
  switch (Rand(i, 9) % 4) {
    case 0: out += "  note          varchar(200)\n"; break;
    case 1: out += "  token         uuid not null default gen_random_uuid()\n"; break;
    case 2:
      out += InBilling(i) ? "  receipt_no    bigint not null default nextval('billing.receipt_no')\n"
                          : "  invoice_no    bigint not null default nextval('invoice_no')\n";
      break;
    default: out += "  valid_until   timestamp with time zone\n"; break;
  }
  out += "\n";
  out += fmt::format("  index {}_{}_lower (lower({}))\n", name, code, code);
  out += fmt::format("  index {}_open ({}, created_at) where {}\n", name, parent_col, en.partial);
  // Table checks differ from table to table (as in real schemas), so the benchmark does not reward a
  // cache of identical SQL texts more than real input would. Defaults repeat, as they do in practice.
  out += fmt::format("  check {}_{}_sane (status <> '{}' or {} < {})\n", name, amount, en.check, amount,
                     1000 * (1 + Rand(i, 10) % 9999));
  out += fmt::format("  comment 'Generated table {} of {}: one {} per row, child of {}'\n", i + 1, tables,
                     Singular(i), BaseName(parent));
  out += "}\n\n";

  if (i % kViewEvery == kViewEvery - 1) {
    out += fmt::format("view {}_report as\n", name);
    out += fmt::format("  select t.id, t.{}, t.{}, p.id as parent_id, p.created_at as parent_created_at\n",
                       code, amount);
    out += fmt::format("  from {} t\n", qname);
    out += fmt::format("  join {} p on p.id = t.{}\n", RefName(parent), parent_col);
    out += fmt::format("  where t.created_at > now() - interval '{} days'\n\n", 7 + i % 84);
  }
  if (i % kTriggerEvery == kTriggerEvery - 1) {
    out += fmt::format("function {}_touch() returns trigger language plpgsql as $$\n", name);
    out += "begin\n";
    out += "  new.updated_at := now();\n";
    out += "  return new;\n";
    out += "end\n";
    out += "$$\n\n";
    out += fmt::format(
        "trigger {}_touch before update on {} for each row execute function {}_touch()\n\n", name,
        qname, name);
  }
  if (i % kMatViewEvery == kMatViewEvery - 1) {
    out += fmt::format("materialized view {}_daily as\n", name);
    out += fmt::format("  select date_trunc('day', created_at) as day, count(*) as n, sum({}) as {}\n",
                       amount, amount);
    out += fmt::format("  from {}\n", qname);
    out += "  group by 1\n\n";
  }
}

bool WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return false;
  f.write(text.data(), static_cast<std::streamsize>(text.size()));
  return static_cast<bool>(f);
}

size_t CountLines(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

int Usage(const char* msg) {
  if (msg != nullptr) std::fprintf(stderr, "schemac_bench_gen: %s\n", msg);
  std::fprintf(stderr, "usage: schemac_bench_gen --tables N [--files K] OUT\n");
  return 64;
}

bool ParsePositive(const char* s, int& out) {
  char* end = nullptr;
  const long v = std::strtol(s, &end, 10);
  if (end == s || *end != '\0' || v <= 0 || v > 10'000'000) return false;
  out = static_cast<int>(v);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int tables = 0;
  int files = 0;
  const char* out_path = nullptr;
  for (int a = 1; a < argc; ++a) {
    const std::string_view arg = argv[a];
    if (arg == "--tables" || arg == "--files") {
      if (a + 1 >= argc) return Usage("missing value after option");
      int& target = arg == "--tables" ? tables : files;
      if (!ParsePositive(argv[++a], target)) return Usage("expected a positive number");
    } else if (arg == "-h" || arg == "--help") {
      Usage(nullptr);
      return 0;
    } else if (!arg.empty() && arg[0] == '-') {
      return Usage("unknown option");
    } else if (out_path == nullptr) {
      out_path = argv[a];
    } else {
      return Usage("more than one OUT");
    }
  }
  if (tables == 0 || out_path == nullptr) return Usage(nullptr);

  // Chunk c holds tables [c * tables / k, (c + 1) * tables / k); chunk 0 also holds the preamble.
  const int k = files == 0 ? 1 : files;
  std::vector<std::string> chunks(static_cast<size_t>(k));
  Preamble(chunks[0], tables);
  for (int c = 0; c < k; ++c) {
    const int begin = static_cast<int>(static_cast<int64_t>(c) * tables / k);
    const int end = static_cast<int>(static_cast<int64_t>(c + 1) * tables / k);
    for (int i = begin; i < end; ++i) Table(chunks[static_cast<size_t>(c)], i, tables);
  }

  size_t lines = 0;
  size_t bytes = 0;
  for (const std::string& s : chunks) {
    lines += CountLines(s);
    bytes += s.size();
  }
  const fs::path out(out_path);
  if (files == 0) {
    if (!WriteFile(out, chunks[0])) {
      std::fprintf(stderr, "schemac_bench_gen: cannot write '%s'\n", out_path);
      return 1;
    }
  } else {
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec || !fs::is_directory(out)) {
      std::fprintf(stderr, "schemac_bench_gen: cannot create directory '%s'\n", out_path);
      return 1;
    }
    // Remove part files of an earlier run so the directory holds exactly this workload.
    std::vector<fs::path> stale;
    for (const auto& entry : fs::directory_iterator(out, ec)) {
      const std::string fname = entry.path().filename().string();
      if (fname.starts_with("part_") && fname.ends_with(".schema")) stale.push_back(entry.path());
    }
    for (const fs::path& p : stale) fs::remove(p, ec);
    for (int c = 0; c < k; ++c) {
      const fs::path p = out / fmt::format("part_{:03d}.schema", c);
      if (!WriteFile(p, chunks[static_cast<size_t>(c)])) {
        std::fprintf(stderr, "schemac_bench_gen: cannot write '%s'\n", p.string().c_str());
        return 1;
      }
    }
  }
  fmt::print("{} tables, {} file{}, {} lines, {} bytes -> {}\n", tables, k, k == 1 ? "" : "s", lines,
             bytes, out_path);
  return 0;
}
