//! The rate limits each guarded use-case passes, decided here once: the
//! services take a [`Limits`] (the application's limiter and who is asking)
//! as an argument they cannot skip, so no caller runs a guarded operation
//! unlimited. The GraphQL layer only says who the client is.

use std::sync::Arc;

use uuid::Uuid;

use super::rate_limit::{Bucket, Client, Key, Permit, RateLimiter};
use crate::error::AppError;

/// The application's limiter and the client a request comes from.
#[derive(Clone, Debug)]
pub struct Limits {
    limiter: Arc<RateLimiter>,
    client: Client,
}

/// A sign-in attempt taken from the failure buckets: settled once the
/// password has been checked.
#[must_use = "settle the attempt with the sign-in's result"]
pub struct SignInAttempt<'a> {
    limits: &'a Limits,
    permit: Permit<'a>,
    per_address: Key,
}

impl Limits {
    pub fn new(limiter: Arc<RateLimiter>, client: Client) -> Self {
        Self { limiter, client }
    }

    /// The limits of the platform's own set-up tasks (the demo's accounts):
    /// a limiter of their own, as a client that did not come over the
    /// network, so that they neither use up nor wait for any visitor's
    /// allowance. Never for requests.
    pub fn platform_task() -> Self {
        Self::new(Arc::new(RateLimiter::new()), Client::unknown())
    }

    /// New accounts from this client. RATE_LIMITED when used up.
    pub fn register(&self) -> Result<(), AppError> {
        let limiter = &self.limiter;
        limiter
            .acquire(&[(Bucket::RegisterPerClient, limiter.client_key(self.client))])?
            .keep();
        Ok(())
    }

    /// Verification links sent to `email` (see [`Self::mail_to`]).
    pub fn verification_mail(&self, email: &str) -> Result<(), AppError> {
        self.mail_to(
            email,
            [
                Bucket::VerificationPerClient,
                Bucket::VerificationPerAddressAndClient,
                Bucket::VerificationPerAddress,
            ],
        )
    }

    /// Password-reset links sent to `email` (see [`Self::mail_to`]).
    pub fn password_reset_mail(&self, email: &str) -> Result<(), AppError> {
        self.mail_to(
            email,
            [
                Bucket::PasswordResetPerClient,
                Bucket::PasswordResetPerAddressAndClient,
                Bucket::PasswordResetPerAddress,
            ],
        )
    }

    /// Limits the e-mails a client can make Trama send to `email`: per
    /// client, per (address, client), and the address's ceiling, in that
    /// order, so that a client past its own allowance does not use up the
    /// shared ceiling.
    fn mail_to(
        &self,
        email: &str,
        [per_client, per_address_and_client, per_address]: [Bucket; 3],
    ) -> Result<(), AppError> {
        let limiter = &self.limiter;
        limiter
            .acquire(&[
                (per_client, limiter.client_key(self.client)),
                (
                    per_address_and_client,
                    limiter.address_and_client_key(email, self.client),
                ),
                (per_address, limiter.address_key(email)),
            ])?
            .keep();
        Ok(())
    }

    /// A sign-in to `email`. Failures only count, per (address, client) and
    /// per client: an attacker guessing from their client never locks the
    /// owner out of theirs, and a success clears the address's failures.
    pub fn sign_in(&self, email: &str) -> Result<SignInAttempt<'_>, AppError> {
        let limiter = &self.limiter;
        let per_address = limiter.address_and_client_key(email, self.client);
        let permit = limiter.acquire(&[
            (
                Bucket::LoginFailuresPerClient,
                limiter.client_key(self.client),
            ),
            (Bucket::LoginFailuresPerAddressAndClient, per_address),
        ])?;
        Ok(SignInAttempt {
            limits: self,
            permit,
            per_address,
        })
    }

    /// The password check of an account's deletion: wrong passwords count
    /// per account, so a stolen session cannot be used to guess it. Settle
    /// the permit with [`settle_wrong_password`].
    pub fn delete_account(&self, account: Uuid) -> Result<Permit<'_>, AppError> {
        let limiter = &self.limiter;
        limiter.acquire(&[(
            Bucket::DeleteAccountFailuresPerAccount,
            limiter.account_key(account),
        )])
    }

    /// Requests to join or claim organisations made by one account.
    pub fn organization_request(&self, account: Uuid) -> Result<(), AppError> {
        let limiter = &self.limiter;
        limiter
            .acquire(&[(
                Bucket::OrganizationRequestsPerAccount,
                limiter.account_key(account),
            )])?
            .keep();
        Ok(())
    }

    /// Reports of abusive content made by one account.
    pub fn content_report(&self, account: Uuid) -> Result<(), AppError> {
        let limiter = &self.limiter;
        limiter
            .acquire(&[(
                Bucket::ContentReportsPerAccount,
                limiter.account_key(account),
            )])?
            .keep();
        Ok(())
    }

    /// Messages written in conversations by one account.
    pub fn message(&self, account: Uuid) -> Result<(), AppError> {
        let limiter = &self.limiter;
        limiter
            .acquire(&[(Bucket::MessagesPerAccount, limiter.account_key(account))])?
            .keep();
        Ok(())
    }

    /// Whether one more claim confirmation may be e-mailed to the
    /// organisation's registered addresses (the claim is recorded either
    /// way; past the limit it waits for a moderator).
    pub fn claim_mail(&self, organization_id: Uuid) -> bool {
        let limiter = &self.limiter;
        limiter
            .acquire(&[(
                Bucket::ClaimMailsPerOrganization,
                limiter.key(("claim-mails", organization_id)),
            )])
            .map(Permit::keep)
            .is_ok()
    }
}

impl SignInAttempt<'_> {
    /// Counts the attempt when the address or password was wrong, gives it
    /// back otherwise; a success also clears the address's failures.
    pub fn settle<T>(self, result: &Result<T, AppError>) {
        let succeeded = result.is_ok();
        settle_wrong_password(self.permit, result);
        if succeeded {
            self.limits
                .limiter
                .reset(Bucket::LoginFailuresPerAddressAndClient, self.per_address);
        }
    }
}

/// Settles the attempts of an operation that counts wrong passwords only:
/// kept when the password (or the e-mail) was wrong, given back otherwise.
pub fn settle_wrong_password<T>(permit: Permit<'_>, result: &Result<T, AppError>) {
    if !matches!(result, Err(AppError::WrongCredentials(_))) {
        permit.give_back();
    }
}
