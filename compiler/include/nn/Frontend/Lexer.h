//===- Lexer.h - .nn lexer --------------------------------------*- C++ -*-===//

#ifndef NN_FRONTEND_LEXER_H
#define NN_FRONTEND_LEXER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/SMLoc.h"
#include <string>
#include <vector>

namespace nn {

class DiagEngine;

enum class TokenKind {
#define TOK(NAME) NAME,
#include "nn/Frontend/TokenKinds.def"
};

/// The name of a token kind as written in TokenKinds.def (`kw_model`, ...).
llvm::StringRef getTokenKindName(TokenKind kind);
/// How a token kind is written in a message: `'('`, `identifier`, ...
std::string describeTokenKind(TokenKind kind);

struct Token {
  TokenKind kind = TokenKind::eof;
  llvm::StringRef spelling;

  llvm::SMLoc getLoc() const {
    return llvm::SMLoc::getFromPointer(spelling.data());
  }
  bool is(TokenKind k) const { return kind == k; }
};

/// Splits a buffer into tokens. Newlines inside ( ) or [ ] are dropped, since
/// a statement continues while a bracket is open; lexical errors are reported
/// to `diags` and produce `error` tokens.
class Lexer {
public:
  Lexer(llvm::StringRef buffer, DiagEngine &diags)
      : buffer(buffer), cur(buffer.begin()), diags(diags) {}

  Token lex();
  /// Lexes the whole buffer; the last token is `eof`.
  std::vector<Token> lexAll();

private:
  Token make(TokenKind kind, const char *start) {
    return Token{kind, llvm::StringRef(start, cur - start)};
  }
  Token lexIdentifier(const char *start);
  Token lexNumber(const char *start);
  Token lexString(const char *start);
  Token lexError(const char *start, const llvm::Twine &msg);

  llvm::StringRef buffer;
  const char *cur;
  DiagEngine &diags;
  unsigned bracketDepth = 0;
};

/// The value of a string literal token, with escapes resolved.
std::string unescapeString(llvm::StringRef spelling);

} // namespace nn

#endif // NN_FRONTEND_LEXER_H
