// Bridges from blocking work and from callback APIs (the store's) to
// awaitables: the work runs elsewhere (a worker pool, the committer) and the
// coroutine resumes on its own executor, so a session never changes thread.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <functional>
#include <memory>

#include "core/thread_pool.hpp"

namespace postern::net {

// Runs `fn()` (blocking allowed) on `pool`; resumes with its result.
template <class T, class Fn>
boost::asio::awaitable<T> run_blocking(ThreadPool& pool, Fn fn) {
  auto ex = co_await boost::asio::this_coro::executor;
  co_return co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(T)>(
      [&pool, ex](auto handler, Fn work) {
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        pool.post([h, ex, work = std::move(work)]() mutable {
          T value = work();
          boost::asio::post(ex, [h, value = std::move(value)]() mutable { (*h)(std::move(value)); });
        });
      },
      boost::asio::use_awaitable, std::move(fn));
}

// Calls `start(done)` where the callee invokes `done(T)` exactly once, from
// any thread; resumes with that value.
template <class T>
boost::asio::awaitable<T> from_callback(std::function<void(std::function<void(T)>)> start) {
  auto ex = co_await boost::asio::this_coro::executor;
  co_return co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(T)>(
      [ex](auto handler, std::function<void(std::function<void(T)>)> begin) {
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        begin([h, ex](T value) {
          boost::asio::post(ex, [h, value = std::move(value)]() mutable { (*h)(std::move(value)); });
        });
      },
      boost::asio::use_awaitable, std::move(start));
}

}  // namespace postern::net
