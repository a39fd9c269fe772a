#include "http_client.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace atm::bench {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string FormatRequest(std::string_view method, std::string_view path, int port, std::string_view body,
                          std::string_view content_type) {
  std::string out;
  out.reserve(160 + body.size());
  out.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1:");
  out.append(std::to_string(port)).append("\r\nConnection: keep-alive\r\n");
  if (!body.empty()) {
    out.append("Content-Type: ").append(content_type).append("\r\nContent-Length: ");
    out.append(std::to_string(body.size())).append("\r\n");
  }
  out.append("\r\n").append(body);
  return out;
}

ResponseParser::State ResponseParser::Feed(const char* data, size_t size) {
  buffer_.append(data, size);
  return Parse();
}

ResponseParser::State ResponseParser::Parse() {
  if (header_end_ == 0) {
    size_t end = buffer_.find("\r\n\r\n");
    if (end == std::string::npos) return buffer_.size() > 64 * 1024 ? State::kError : State::kIncomplete;
    header_end_ = end + 4;
    std::string_view head(buffer_.data(), end);
    // Status line: HTTP/1.1 200 OK
    if (head.size() < 12 || head.substr(0, 5) != "HTTP/") return State::kError;
    status_ = std::atoi(std::string(head.substr(9, 3)).c_str());
    bool has_length = false;
    close_ = false;
    size_t pos = head.find("\r\n");
    while (pos != std::string_view::npos) {
      size_t next = head.find("\r\n", pos + 2);
      std::string_view line = head.substr(pos + 2, next == std::string_view::npos ? next : next - pos - 2);
      size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        std::string_view name = line.substr(0, colon);
        std::string_view value = Trim(line.substr(colon + 1));
        if (EqualsIgnoreCase(name, "content-length")) {
          content_length_ = std::strtoull(std::string(value).c_str(), nullptr, 10);
          has_length = true;
        } else if (EqualsIgnoreCase(name, "connection") && EqualsIgnoreCase(value, "close")) {
          close_ = true;
        } else if (EqualsIgnoreCase(name, "transfer-encoding")) {
          return State::kError;  // atm always sends Content-Length
        }
      }
      pos = next;
    }
    if (!has_length) content_length_ = 0;
  }
  return buffer_.size() >= header_end_ + content_length_ ? State::kDone : State::kIncomplete;
}

std::string_view ResponseParser::body() const { return std::string_view(buffer_).substr(header_end_, content_length_); }

void ResponseParser::Next() {
  buffer_.erase(0, header_end_ + content_length_);
  header_end_ = 0;
  content_length_ = 0;
  status_ = 0;
  close_ = false;
}

int ConnectLoopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

std::optional<Response> Fetch(int port, std::string_view method, std::string_view path, std::string_view body,
                              std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  int fd = ConnectLoopback(port);
  if (fd < 0) return std::nullopt;
  std::string request = FormatRequest(method, path, port, body);
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      ::close(fd);
      return std::nullopt;
    }
    sent += static_cast<size_t>(n);
  }
  ResponseParser parser;
  char buf[16384];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) break;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    auto state = parser.Feed(buf, static_cast<size_t>(n));
    if (state == ResponseParser::State::kError) break;
    if (state == ResponseParser::State::kDone) {
      ::close(fd);
      return Response{parser.status(), std::string(parser.body())};
    }
  }
  ::close(fd);
  return std::nullopt;
}

KeepAliveClient::~KeepAliveClient() { Drop(); }

void KeepAliveClient::Drop() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  parser_ = ResponseParser();
}

std::optional<Response> KeepAliveClient::Send(std::string_view method, std::string_view path, std::string_view body,
                                              std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  if (fd_ < 0) {
    fd_ = ConnectLoopback(port_);
    if (fd_ < 0) return std::nullopt;
    ++connects_;
  }
  const std::string request = FormatRequest(method, path, port_, body);
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      Drop();
      return std::nullopt;
    }
    sent += static_cast<size_t>(n);
  }
  char buf[16384];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd p{fd_, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) break;
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) break;
    auto state = parser_.Feed(buf, static_cast<size_t>(n));
    if (state == ResponseParser::State::kError) break;
    if (state == ResponseParser::State::kDone) {
      Response r{parser_.status(), std::string(parser_.body())};
      if (parser_.close()) {
        Drop();
      } else {
        parser_.Next();
      }
      return r;
    }
  }
  Drop();
  return std::nullopt;
}

}  // namespace atm::bench
