-- Fenced leases (DESIGN invariant 2): every claim raises "lease_token", and writes about a claimed job are accepted
-- only with the current one; "in_doubt_since" marks a job whose create may exist remotely (looked up first).
ALTER TABLE "pipedrive_sync_jobs" ADD COLUMN "lease_token" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "pipedrive_sync_jobs" ADD COLUMN "in_doubt_since" DATETIME;
