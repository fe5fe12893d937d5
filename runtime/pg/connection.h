// A small PostgreSQL client: one connection, statements outside explicit transactions, errors as
// DbError. Wraps libpqxx 6.4, which stays an implementation detail (no pqxx type in this header).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace schemac::pg {

// An error reported by the server or by the client library. what() is `message`.
class DbError : public std::runtime_error {
 public:
  explicit DbError(std::string message_text, std::string sqlstate_code = {},
                   std::string statement_text = {}, int position_in_statement = 0,
                   std::string detail_text = {}, std::string hint_text = {},
                   std::string context_text = {});

  std::string message;    // primary message, one line, without the "ERROR:  " prefix
  std::string sqlstate;   // five-character SQLSTATE; "08001" = could not connect, "08006" =
                          // connection lost; empty if unknown (a client-side error)
  std::string statement;  // the text sent to the server: for Exec, the whole script
  // 1-based position of the error cursor in `statement`, counted in characters (code points),
  // like PostgreSQL's PG_DIAG_STATEMENT_POSITION; 0 if the server reported none.
  int position = 0;
  std::string detail;   // DETAIL, may span lines; empty if none
  std::string hint;     // HINT; empty if none
  std::string context;  // CONTEXT (e.g. the PL/pgSQL line); empty if none

  // 0-based byte offset in `statement` of the character at `position`; npos if position is 0
  // or beyond the statement.
  std::size_t PositionByteOffset() const;
  bool IsConnectionError() const { return sqlstate.rfind("08", 0) == 0; }
};

// `conninfo` with every password removed: `user:pass@` in URIs becomes `user@`, `password=...`
// (keyword/value form, or URI query parameter) is dropped. Safe to print.
std::string RedactConninfo(const std::string& conninfo);

class Connection {
 public:
  // Connects at once. `conninfo` is a libpq connection string or postgresql:// URI; empty means
  // libpq's environment variables (PGHOST, PGPORT, ...). The client encoding is set to UTF8.
  // Throws DbError (sqlstate "08001") if the server cannot be reached; the message contains the
  // redacted conninfo, never a password.
  explicit Connection(const std::string& conninfo);
  ~Connection();
  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs `sql`, which may hold several statements separated by `;`, outside any explicit
  // transaction (simple query protocol). PostgreSQL runs a multi-statement string as one implicit
  // transaction unless it contains BEGIN/COMMIT itself, so statements that refuse to run in a
  // transaction block (CREATE DATABASE, ... CONCURRENTLY, VACUUM) must be sent alone.
  void Exec(const std::string& sql);

  // Runs one query and returns all rows as text; SQL NULL is std::nullopt.
  std::vector<std::vector<std::optional<std::string>>> Query(const std::string& sql);

  // The server's version string, e.g. "15.18 (Debian 15.18-0+deb12u1)".
  std::string ServerVersion();

  // Receives server notices and warnings (one message each, with its "NOTICE:  " prefix and
  // trailing newline). By default they are dropped. Pass nullptr to drop them again.
  void SetNoticeHandler(std::function<void(const std::string&)> handler);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace schemac::pg
