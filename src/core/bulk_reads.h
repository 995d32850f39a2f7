// A thread's hint that what it reads now it reads once, in bulk: a broadcast going
// through every recipient. A store may then read without keeping what it read mapped
// into Tandem's memory (SQLite: connections without mmap), so a pass over every lead
// does not leave the whole file resident. Scoped and nesting; per thread, so the hint
// never reaches another thread's reads.
#pragma once

namespace tandem {

class BulkReads {
 public:
  BulkReads() { ++depth_; }
  ~BulkReads() { --depth_; }
  BulkReads(const BulkReads&) = delete;
  BulkReads& operator=(const BulkReads&) = delete;

  // Whether the calling thread is inside a BulkReads scope.
  static bool Active() { return depth_ > 0; }

 private:
  static inline thread_local int depth_ = 0;
};

}  // namespace tandem
