#pragma once
// A minimal streaming JSON writer for the CLI's --json output (objects, arrays, strings, numbers).
#include <cstdio>
#include <ostream>
#include <string_view>
#include <vector>

namespace mtmatch::cli {

class json_writer {
 public:
  explicit json_writer(std::ostream& out) : out_(out) {}
  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  void key(std::string_view k) {
    comma();
    string(k);
    out_ << ':';
    after_key_ = true;
  }
  template <class T>
  void field(std::string_view k, const T& value) {
    key(k);
    write(value);
  }
  void write(std::string_view s) { comma(); string(s); }
  void write(const char* s) { write(std::string_view(s)); }
  void write(const std::string& s) { write(std::string_view(s)); }
  void write(bool b) { comma(); out_ << (b ? "true" : "false"); }
  template <class Number>
  void write(Number n) { comma(); out_ << n; }

 private:
  void comma() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_.empty()) {
      if (!first_.back()) out_ << ',';
      first_.back() = false;
    }
  }
  void open(char c) {
    comma();
    out_ << c;
    first_.push_back(true);
  }
  void close(char c) {
    out_ << c;
    first_.pop_back();
  }
  void string(std::string_view s) {
    out_ << '"';
    for (char c : s) {
      switch (c) {
        case '"': out_ << "\\\""; break;
        case '\\': out_ << "\\\\"; break;
        case '\n': out_ << "\\n"; break;
        case '\t': out_ << "\\t"; break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out_ << buf;
          } else {
            out_ << c;
          }
      }
    }
    out_ << '"';
  }
  std::ostream& out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

}  // namespace mtmatch::cli
