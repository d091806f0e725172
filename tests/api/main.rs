//! Trama's integration tests: one binary, the real application on port 0,
//! every data-layer and API test on SQLite and on PostgreSQL.

mod helpers;

mod abuse;
mod accounts;
mod art55_demo;
mod availability;
mod bad_input;
mod cli;
mod codesign;
mod conversations;
mod demo;
mod digest_outage;
mod digests;
mod export;
mod graphql_api;
mod graphql_http;
mod graphql_lists;
mod health;
mod import;
mod invitations;
mod jobs;
mod judged;
mod layers;
mod mail;
mod matching;
mod memberships;
mod nodelay;
mod organization_requests;
mod pacts;
mod partnership;
mod protection;
mod rate_limits;
mod records;
mod reference_data;
mod relevance;
mod reports;
mod search;
mod shutdown;
mod smtp_server;
mod subscriptions;
mod tcp_proxy;
mod territories;
mod visibility;
mod visibility_rules;
mod webapp;
