// The input loop of the SMTP server session: splits buffered input into
// command lines, DATA content and BDAT chunks, dispatches commands through
// the command table, and turns completed messages into a deliver action.
#include "smtp/server/session_core.hpp"

#include <algorithm>
#include <ctime>

#include "smtp/proto/command_line.hpp"
#include "smtp/server/command_table.hpp"
#include "smtp/server/received_header.hpp"

namespace postern::smtp::detail {

SessionCore::SessionCore(SessionOptions options, ClientInfo client, RecipientPolicy& policy, int64_t (*now)())
    : options_(std::move(options)), client_(std::move(client)), policy_(policy), now_(now) {
  tls_active_ = options_.tls_active;
  reset_transaction();
}

void SessionCore::start() {
  // RFC 2034 §3: the greeting carries no enhanced status code.
  append_reply(out_, Reply{220, "", options_.hostname + " ESMTP Postern"});
}

void SessionCore::receive(std::string_view bytes) {
  // After STARTTLS, plaintext that arrives before the handshake is dropped
  // like the bytes already buffered (RFC 3207 §5).
  if (action_ == Action::close || action_ == Action::start_tls) return;
  in_.append(bytes);
  process();
}

void SessionCore::process() {
  while (action_ == Action::read) {
    bool progressed = false;
    switch (phase_) {
      case Phase::command: progressed = process_command_line(); break;
      case Phase::data: progressed = process_data(); break;
      case Phase::bdat: progressed = process_bdat(); break;
    }
    if (!progressed) break;
  }
  if (in_pos_ > 0) {
    in_.erase(0, in_pos_);
    in_pos_ = 0;
  }
}

bool SessionCore::process_command_line() {
  std::string_view pending = std::string_view(in_).substr(in_pos_);
  if (pending.empty()) return false;
  size_t lf = pending.find('\n');
  const size_t max_line = options_.limits.max_line_length;
  if (discarding_long_line_) {
    if (lf == std::string_view::npos) {
      in_pos_ = in_.size();
      return false;
    }
    in_pos_ += lf + 1;
    discarding_long_line_ = false;
    return true;
  }
  if (lf == std::string_view::npos) {
    // RFC 5321 §4.5.3.1.4: command lines are limited; refuse as soon as the
    // limit is passed and drop the rest of the line, so input stays bounded.
    if (pending.size() >= max_line) {
      discarding_long_line_ = true;
      in_pos_ = in_.size();
      reply_error(Reply{500, "5.5.2", "Error: line too long"});
      return true;
    }
    return false;
  }
  std::string_view line = pending.substr(0, lf);
  in_pos_ += lf + 1;
  ++commands_;
  if (lf + 1 > max_line) {
    reply_error(Reply{500, "5.5.2", "Error: line too long"});
    return true;
  }
  // A bare LF ends a command too (liberal; no content is at stake here).
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (sasl_) sasl_line(line);
  else dispatch(line);
  return true;
}

void SessionCore::dispatch(std::string_view line) {
  auto command = parse_command_line(line);
  if (!command) return reply_error(command.reply());
  const CommandRow* row = find_command(command->verb);
  if (row == nullptr) return reply_error(Reply{500, "5.5.2", "Error: command not recognized"});
  if (auto refusal = row->check(*this, command->argument)) return reply_error(std::move(*refusal));
  row->act(*this, command->argument);
}

bool SessionCore::process_data() {
  std::string_view pending = std::string_view(in_).substr(in_pos_);
  if (pending.empty()) return false;
  bool done = false;
  size_t used = tx_.data_reader.consume(pending, tx_.message, done);
  in_pos_ += used;
  if (done) {
    finish_message();
    return true;
  }
  return used > 0;
}

bool SessionCore::process_bdat() {
  if (bdat_remaining_ > 0) {
    std::string_view pending = std::string_view(in_).substr(in_pos_);
    if (pending.empty()) return false;
    size_t take = static_cast<size_t>(std::min<uint64_t>(bdat_remaining_, pending.size()));
    if (!bdat_refusal_) tx_.message.append(pending.substr(0, take));  // RFC 3030 §2: no unstuffing
    in_pos_ += take;
    bdat_remaining_ -= take;
    if (bdat_remaining_ > 0) return true;
  }
  phase_ = Phase::command;
  if (bdat_refusal_) {
    Reply refusal = std::move(*bdat_refusal_);
    bdat_refusal_.reset();
    reply_error(std::move(refusal));
  } else if (!bdat_last_) {
    if (tx_.message.too_big())
      reply(Reply{552, "5.3.4", "Message size exceeds fixed maximum message size"});
    else
      reply(Reply{250, "2.0.0", std::to_string(bdat_chunk_size_) + " octets received"});
  } else {
    finish_message();
  }
  return true;
}

void SessionCore::begin_data() {
  tx_.message = MessageBuffer(options_.limits.max_message_size);
  tx_.data_reader = DataReader(options_.limits.max_line_length);
  phase_ = Phase::data;
}

void SessionCore::begin_bdat(uint64_t size, bool last, std::optional<Reply> refusal) {
  if (!refusal) tx_.bdat_started = true;
  bdat_remaining_ = size;
  bdat_chunk_size_ = size;
  bdat_last_ = last;
  bdat_refusal_ = std::move(refusal);
  phase_ = Phase::bdat;
}

void SessionCore::finish_message() {
  phase_ = Phase::command;
  if (tx_.message.too_big()) {
    // RFC 5321 §4.5.3.1.10 / RFC 1870: 552 for a message over the size limit.
    reply(Reply{552, "5.3.4", "Message size exceeds fixed maximum message size"});
    return reset_transaction();
  }
  if (tx_.data_reader.line_too_long()) {
    // RFC 5321 §4.5.3.1.6 limits text lines. At the end of DATA the reply
    // set is §4.3.2's (no 500 there), so the transaction fails with 554 and
    // RFC 3463's "media error" detail: the content, not the command, is bad.
    reply(Reply{554, "5.6.0", "Message rejected: line longer than " +
                                  std::to_string(options_.limits.max_line_length) + " octets"});
    return reset_transaction();
  }
  const Envelope& env = tx_.envelope;
  ReceivedInfo info;
  info.helo = helo_;
  info.client_ip = client_.ip;
  info.hostname = options_.hostname;
  std::string protocol = protocol_type(greeting_ == Greeting::ehlo, env.smtputf8, tls_active_, client_.authenticated);
  info.protocol = protocol;
  info.session_id = client_.session_id;
  if (env.recipients.size() == 1) info.recipient = env.recipients.front();
  info.unix_time = now_ ? now_() : static_cast<int64_t>(std::time(nullptr));
  std::string content = tx_.message.take();
  if (options_.submission) {
    if (auto refusal = check_and_fix_submission(content)) {
      reply(std::move(*refusal));
      return reset_transaction();
    }
  } else if (!client_.authenticated && !client_.trusted) {
    if (auto refusal = check_mx_from_header(content)) {
      reply(std::move(*refusal));
      return reset_transaction();
    }
  }
  ready_message_ = build_received_header(info);
  ready_message_ += content;
  action_ = Action::deliver;
}

void SessionCore::delivery_done(const Status& result) {
  if (action_ != Action::deliver) return;  // adapter misuse: nothing to answer
  action_ = Action::read;
  if (result.ok())
    reply(Reply{250, "2.0.0", "Ok: stored"});
  else if (result.error().kind == ErrorKind::temporary)
    reply(Reply{451, "4.3.0", "Error: temporary failure, try again later"});
  else
    reply(Reply{554, "5.3.0", "Error: message could not be stored"});
  reset_transaction();
  process();  // RFC 2920: commands pipelined after the content run now
}

void SessionCore::tls_established() {
  if (action_ != Action::start_tls) return;
  // RFC 3207 §4.2: forget everything learned before TLS, EHLO again.
  action_ = Action::read;
  phase_ = Phase::command;
  tls_active_ = true;
  greeting_ = Greeting::none;
  helo_.clear();
  reset_transaction();
  discard_buffered_input();
  process();
}

void SessionCore::on_timeout() {
  if (action_ == Action::close) return;
  close_with(421, "4.4.2", options_.hostname + " Error: timeout exceeded");
}

void SessionCore::on_shutdown() {
  if (action_ == Action::close) return;
  close_with(421, "4.3.2", options_.hostname + " Service shutting down");
}

void SessionCore::reply(Reply r) {
  if (action_ == Action::close) return;
  append_reply(out_, r);
}

void SessionCore::reply_error(Reply r) {
  reply(std::move(r));
  ++errors_;
  if (errors_ >= options_.limits.max_errors && action_ != Action::close)
    close_with(421, "4.7.0", options_.hostname + " Too many errors, closing connection");
}

void SessionCore::reply_lines(int code, const std::vector<std::string>& lines) {
  if (action_ == Action::close) return;
  // RFC 2034 §3: the EHLO response carries no enhanced status codes.
  append_multiline_reply(out_, code, "", lines);
}

void SessionCore::close_with(int code, std::string_view enhanced, std::string_view text) {
  append_reply(out_, Reply{code, std::string(enhanced), std::string(text)});
  action_ = Action::close;
  discard_buffered_input();
}

void SessionCore::reset_transaction() {
  tx_ = Transaction{};
  tx_.envelope.helo = helo_;
  tx_.message = MessageBuffer(options_.limits.max_message_size);
  tx_.data_reader = DataReader(options_.limits.max_line_length);
}

void SessionCore::discard_buffered_input() {
  in_pos_ = in_.size();
  discarding_long_line_ = false;
}

void SessionCore::request_start_tls() {
  discard_buffered_input();  // RFC 3207 §5, CVE-2011-0411
  action_ = Action::start_tls;
}

}  // namespace postern::smtp::detail
