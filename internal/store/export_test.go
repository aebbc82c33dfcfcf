package store

// FeedPosts is the feed query without the materialized timeline, for benchmarks that
// compare the two.
var FeedPosts = feedPosts
