// Bridges from blocking work and from callback APIs (the store's) to
// awaitables: the work runs elsewhere (a worker pool, the committer) and the
// coroutine resumes on its own executor, so a session never changes thread.
//
// These are plain functions returning an awaitable, not coroutines: GCC 12
// double-destroys lambdas with captures that are created inside a co_await
// expression, so no closure may be built in one. Callers co_await the result
// of a call whose arguments are named values. GCC 12 also crashes on a
// co_await inside a short-circuit (&&, ||) operand: await into a variable.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <functional>
#include <memory>

#include "core/thread_pool.hpp"

namespace postern::net {

namespace detail {

template <class T>
struct BlockingInitiation {
  ThreadPool* pool;
  ThreadPool::Priority priority;
  template <class Handler>
  void operator()(Handler handler, std::function<T()> work) const {
    auto ex = boost::asio::get_associated_executor(handler);
    auto h = std::make_shared<Handler>(std::move(handler));
    pool->post(
        [h, ex, work = std::move(work)]() mutable {
          T value = work();
          boost::asio::post(ex, [h, value = std::move(value)]() mutable { (*h)(std::move(value)); });
        },
        priority);
  }
};

template <class T>
struct CallbackInitiation {
  template <class Handler>
  void operator()(Handler handler, std::function<void(std::function<void(T)>)> begin) const {
    auto ex = boost::asio::get_associated_executor(handler);
    auto h = std::make_shared<Handler>(std::move(handler));
    begin([h, ex](T value) {
      boost::asio::post(ex, [h, value = std::move(value)]() mutable { (*h)(std::move(value)); });
    });
  }
};

}  // namespace detail

// Runs `work()` (blocking allowed) on `pool`; the awaitable yields its result.
template <class T>
boost::asio::awaitable<T> run_blocking(ThreadPool& pool, std::function<T()> work,
                                       ThreadPool::Priority priority = ThreadPool::Priority::normal) {
  return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(T)>(
      detail::BlockingInitiation<T>{&pool, priority}, boost::asio::use_awaitable, std::move(work));
}

// Calls `begin(done)`; the callee invokes `done(T)` exactly once, from any
// thread; the awaitable yields that value.
template <class T>
boost::asio::awaitable<T> from_callback(std::function<void(std::function<void(T)>)> begin) {
  return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(T)>(
      detail::CallbackInitiation<T>{}, boost::asio::use_awaitable, std::move(begin));
}

}  // namespace postern::net
