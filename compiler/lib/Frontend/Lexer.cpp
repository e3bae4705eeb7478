//===- Lexer.cpp - .nn lexer ----------------------------------------------===//

#include "nn/Frontend/Lexer.h"
#include "nn/Frontend/Diagnostics.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/raw_ostream.h"
#include <cctype>

using namespace nn;

llvm::StringRef nn::getTokenKindName(TokenKind kind) {
  switch (kind) {
#define TOK(NAME)                                                              \
  case TokenKind::NAME:                                                        \
    return #NAME;
#include "nn/Frontend/TokenKinds.def"
  }
  return "unknown";
}

std::string nn::describeTokenKind(TokenKind kind) {
  switch (kind) {
#define PUNCT(NAME, SPELLING)                                                  \
  case TokenKind::NAME:                                                        \
    return "'" SPELLING "'";
#define KEYWORD(SPELLING)                                                      \
  case TokenKind::kw_##SPELLING:                                               \
    return "'" #SPELLING "'";
#include "nn/Frontend/TokenKinds.def"
  case TokenKind::eof:
    return "end of file";
  case TokenKind::newline:
    return "end of line";
  case TokenKind::identifier:
    return "identifier";
  case TokenKind::integer:
    return "integer";
  case TokenKind::floatlit:
    return "number";
  case TokenKind::string:
    return "string";
  case TokenKind::error:
    return "invalid token";
  }
  return "token";
}

static bool isIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
static bool isIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}
static bool isDigit(char c) { return c >= '0' && c <= '9'; }

Token Lexer::lexError(const char *start, const llvm::Twine &msg) {
  diags.error(llvm::SMLoc::getFromPointer(start), msg);
  return make(TokenKind::error, start);
}

std::vector<Token> Lexer::lexAll() {
  std::vector<Token> tokens;
  do {
    tokens.push_back(lex());
  } while (!tokens.back().is(TokenKind::eof) && !diags.shouldStop());
  if (!tokens.back().is(TokenKind::eof))
    tokens.push_back(Token{TokenKind::eof, llvm::StringRef(buffer.end(), 0)});
  return tokens;
}

Token Lexer::lex() {
  while (true) {
    const char *start = cur;
    if (cur == buffer.end())
      return make(TokenKind::eof, start);
    char c = *cur++;
    switch (c) {
    case ' ':
    case '\t':
    case '\r':
      continue;
    case '#':
      while (cur != buffer.end() && *cur != '\n')
        ++cur;
      continue;
    case '\n':
      if (bracketDepth)
        continue;
      return make(TokenKind::newline, start);
    case '(':
    case '[':
      ++bracketDepth;
      return make(c == '(' ? TokenKind::l_paren : TokenKind::l_square, start);
    case ')':
    case ']':
      if (bracketDepth)
        --bracketDepth;
      return make(c == ')' ? TokenKind::r_paren : TokenKind::r_square, start);
    case '{':
    case '}':
      // Braces never appear inside brackets: an unclosed bracket ends here.
      bracketDepth = 0;
      return make(c == '{' ? TokenKind::l_brace : TokenKind::r_brace, start);
    case ',':
      return make(TokenKind::comma, start);
    case ':':
      return make(TokenKind::colon, start);
    case '=':
      return make(TokenKind::equal, start);
    case '+':
      return make(TokenKind::plus, start);
    case '*':
      return make(TokenKind::star, start);
    case '/':
      return make(TokenKind::slash, start);
    case '@':
      return make(TokenKind::at, start);
    case '-':
      if (cur != buffer.end() && *cur == '>') {
        ++cur;
        return make(TokenKind::arrow, start);
      }
      return make(TokenKind::minus, start);
    case '.':
      if (cur != buffer.end() && *cur == '.') {
        ++cur;
        return make(TokenKind::dotdot, start);
      }
      if (cur != buffer.end() && isDigit(*cur))
        return lexNumber(start);
      return lexError(start, "unexpected character '.'");
    case '"':
      return lexString(start);
    default:
      if (isIdentStart(c))
        return lexIdentifier(start);
      if (isDigit(c))
        return lexNumber(start);
      if (c == '\0' && cur == buffer.end() + 1)
        return make(TokenKind::eof, start);
      if (std::isprint(static_cast<unsigned char>(c)))
        return lexError(start, "unexpected character '" + llvm::Twine(c) + "'");
      return lexError(
          start, "unexpected byte 0x" +
                     llvm::Twine::utohexstr(static_cast<unsigned char>(c)));
    }
  }
}

/// identifier ::= [A-Za-z_][A-Za-z0-9_]*
Token Lexer::lexIdentifier(const char *start) {
  while (cur != buffer.end() && isIdentChar(*cur))
    ++cur;
  llvm::StringRef text(start, cur - start);
  TokenKind kind = llvm::StringSwitch<TokenKind>(text)
#define KEYWORD(SPELLING) .Case(#SPELLING, TokenKind::kw_##SPELLING)
#include "nn/Frontend/TokenKinds.def"
                       .Default(TokenKind::identifier);
  return make(kind, start);
}

/// integer ::= [0-9]+
/// float   ::= [0-9]* ('.' [0-9]+)? ([eE] [+-]? [0-9]+)?
Token Lexer::lexNumber(const char *start) {
  auto end = buffer.end();
  bool isFloat = false;
  cur = start;
  while (cur != end && isDigit(*cur))
    ++cur;
  // `0..3` is a range: the dot belongs to `..`.
  if (cur != end && *cur == '.' && cur + 1 != end && isDigit(cur[1])) {
    isFloat = true;
    ++cur;
    while (cur != end && isDigit(*cur))
      ++cur;
  }
  if (cur != end && (*cur == 'e' || *cur == 'E')) {
    const char *exp = cur + 1;
    if (exp != end && (*exp == '+' || *exp == '-'))
      ++exp;
    if (exp == end || !isDigit(*exp)) {
      cur = exp;
      return lexError(start, "expected digits in the exponent of a number");
    }
    isFloat = true;
    cur = exp;
    while (cur != end && isDigit(*cur))
      ++cur;
  }
  if (cur != end && isIdentChar(*cur)) {
    while (cur != end && isIdentChar(*cur))
      ++cur;
    return lexError(start, "invalid number '" +
                               llvm::StringRef(start, cur - start) + "'");
  }
  return make(isFloat ? TokenKind::floatlit : TokenKind::integer, start);
}

/// string ::= '"' ([^"\\\n] | '\\' ["\\nt])* '"'
Token Lexer::lexString(const char *start) {
  auto end = buffer.end();
  while (cur != end && *cur != '"') {
    if (*cur == '\n')
      break;
    if (*cur == '\\') {
      ++cur;
      if (cur == end || *cur == '\n')
        break;
      if (*cur != '"' && *cur != '\\' && *cur != 'n' && *cur != 't') {
        diags.error(llvm::SMLoc::getFromPointer(cur - 1),
                    "unknown escape sequence '\\" + llvm::Twine(*cur) + "'");
      }
    }
    ++cur;
  }
  if (cur == end || *cur != '"')
    return lexError(start, "unterminated string");
  ++cur;
  return make(TokenKind::string, start);
}

std::string nn::unescapeString(llvm::StringRef spelling) {
  std::string out;
  llvm::StringRef body = spelling.drop_front().drop_back();
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '\\' && i + 1 < body.size()) {
      char n = body[++i];
      out += n == 'n' ? '\n' : n == 't' ? '\t' : n;
      continue;
    }
    out += c;
  }
  return out;
}
