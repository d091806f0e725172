//! Trama's integration tests: one binary, the real application on port 0,
//! every data-layer and API test on SQLite and on PostgreSQL.

mod helpers;

mod abuse;
mod accounts;
mod availability;
mod demo;
mod digests;
mod export;
mod graphql_api;
mod graphql_http;
mod graphql_lists;
mod health;
mod import;
mod mail;
mod matching;
mod protection;
mod records;
mod relevance;
mod search;
mod shutdown;
mod smtp_server;
mod subscriptions;
mod tcp_proxy;
mod territories;
