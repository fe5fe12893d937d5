// Sequences: CREATE, ALTER SEQUENCE for parameters and OWNED BY, DROP (destructive: the counter is
// state that cannot be recreated).
#include <fmt/format.h>

#include "compiler/diff/internal/context.h"
#include "compiler/sqlgen/render.h"

namespace schemac::diff::internal {

namespace {

using model::ObjectKind;
using model::QuoteIdent;
using model::QuoteQualified;

// The ALTER SEQUENCE options that turn `live` into `target`. START WITH only changes what
// RESTART would go back to, never the current value; ALTER SEQUENCE never rewrites anything.
std::vector<std::string> ChangedOptions(const model::SequenceParams& live,
                                        const model::SequenceParams& target,
                                        std::vector<std::string>& what) {
  std::vector<std::string> options;
  auto type_name = [](const model::TypeName& t) {
    return t.name.empty() ? std::string("bigint") : t.name;
  };
  if (type_name(live.type) != type_name(target.type)) {
    options.push_back("AS " + type_name(target.type));
    what.push_back(fmt::format("type {} -> {}", type_name(live.type), type_name(target.type)));
  }
  auto number = [&](int64_t a, int64_t b, const char* keyword, const char* name) {
    if (a == b) return;
    options.push_back(fmt::format("{} {}", keyword, b));
    what.push_back(fmt::format("{} {} -> {}", name, a, b));
  };
  number(live.increment, target.increment, "INCREMENT BY", "increment");
  number(live.min_value, target.min_value, "MINVALUE", "minvalue");
  number(live.max_value, target.max_value, "MAXVALUE", "maxvalue");
  number(live.start, target.start, "START WITH", "start");
  number(live.cache, target.cache, "CACHE", "cache");
  if (live.cycle != target.cycle) {
    options.push_back(target.cycle ? "CYCLE" : "NO CYCLE");
    what.push_back(target.cycle ? "cycle" : "no cycle");
  }
  return options;
}

std::string OwnedBySql(const model::Sequence& sequence) {
  if (!sequence.owned_by_table || !sequence.owned_by_column) {
    return fmt::format("ALTER SEQUENCE {} OWNED BY NONE;", QuoteQualified(sequence.name));
  }
  return sqlgen::AlterSequenceOwnedBy(sequence);
}

std::string OwnerText(const model::Sequence& s) {
  if (!s.owned_by_table || !s.owned_by_column) return "none";
  return Display(*s.owned_by_table) + "." + *s.owned_by_column;
}

// A plain table that the target makes a partition (its columns stay; the model lists a
// partition's columns under its parent only).
bool BecomesPartition(const Context& ctx, const QualifiedName& table) {
  const model::Table* live = ctx.live_index->FindTable(table);
  const model::Table* target = ctx.target_index->FindTable(table);
  return live != nullptr && target != nullptr && !live->partition_of && target->partition_of;
}

}  // namespace

void DiffSequences(Context& ctx) {
  for (const model::Sequence& target : ctx.target.sequences) {
    const Key key{KeyKind::Sequence, target.name, ""};
    const model::ObjectId object{ObjectKind::Sequence, target.name};
    const model::Sequence* live = ctx.live_index->FindSequence(target.name);
    auto emit = [&](char action, std::string summary, std::string sql, bool creates,
                    Role role = Role::Create) {
      return ctx.Emit({.key = key, .role = role, .phase = Phase::Create,
                       .rank = role == Role::Create ? Rank::Sequence : Rank::ForeignKey,
                       .object = object, .action = action, .summary = std::move(summary),
                       .sql = std::move(sql), .loc = target.loc, .creates_object = creates});
    };
    if (live == nullptr) {
      emit('+', "sequence " + Display(target.name), sqlgen::CreateSequence(target), true);
    } else {
      std::vector<std::string> what;
      std::vector<std::string> options = ChangedOptions(live->params, target.params, what);
      if (!options.empty()) {
        emit('~', fmt::format("sequence {}: {}", Display(target.name), fmt::join(what, ", ")),
             fmt::format("ALTER SEQUENCE {} {};", QuoteQualified(target.name),
                         fmt::join(options, " ")),
             false);
      }
    }
    bool owner_changed = live == nullptr ? target.owned_by_table.has_value()
                                         : OwnerText(*live) != OwnerText(target);
    if (owner_changed) {
      // OWNED BY needs the column; the table's creation and alters come first. It is not part of
      // what users of the sequence wait for (the table's default uses the sequence), hence a
      // decoration rather than a create step.
      size_t step = emit('~',
                         fmt::format("sequence {}: owned by {}", Display(target.name),
                                     OwnerText(target)),
                         OwnedBySql(target), false, Role::Decorate);
      if (target.owned_by_table) {
        ctx.after_steps_of.emplace_back(step, Key{KeyKind::Table, *target.owned_by_table, ""},
                                        Role::Create);
        ctx.after_steps_of.emplace_back(
            step, Key{KeyKind::Column, *target.owned_by_table, target.owned_by_column.value_or("")},
            Role::Create);
      }
    }
    EmitComment(ctx, key, object, live ? &live->comment : nullptr, target.comment,
                [&] { return sqlgen::CommentOnSequence(target); }, target.loc);
  }
  for (const model::Sequence& live : ctx.live().sequences) {
    if (ctx.target_index->FindSequence(live.name) != nullptr) continue;
    // A sequence owned by a column that is dropped too (or by a recreated table) goes with it
    // (DROP COLUMN / DROP TABLE drop owned sequences); a DROP SEQUENCE of its own would fail.
    // (A partition's columns are its parent's: a table that becomes a partition keeps them.)
    const model::Table* owner =
        live.owned_by_table ? ctx.target_index->FindTable(*live.owned_by_table) : nullptr;
    if (live.owned_by_table && live.owned_by_column &&
        (owner == nullptr || ctx.TableRecreated(*live.owned_by_table) ||
         (!BecomesPartition(ctx, *live.owned_by_table) &&
          ctx.target_index->FindColumn(*live.owned_by_table, *live.owned_by_column) == nullptr))) {
      continue;
    }
    ctx.Emit({.key = {KeyKind::Sequence, live.name, ""}, .role = Role::Remove,
              .phase = Phase::LateDrop, .rank = Rank::Sequence,
              .object = {ObjectKind::Sequence, live.name}, .action = '-',
              .summary = fmt::format("sequence {} (its current value is lost)", Display(live.name)),
              .sql = fmt::format("DROP SEQUENCE {};", QuoteQualified(live.name)),
              .hazards = {Hazard::DeletesData}});
  }
}

}  // namespace schemac::diff::internal
