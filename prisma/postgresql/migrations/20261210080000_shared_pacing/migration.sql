-- Shared pacing (DESIGN §13): one row per Pipedrive token (its fingerprint and its Pipedrive, never the token), holding
-- the burst and search windows and the daily budget as last seen, written by compare-and-swap on "version".
-- CreateTable
CREATE TABLE "pipedrive_sync_pacing" (
    "key" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,
    "state" TEXT NOT NULL DEFAULT '{}',
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pipedrive_sync_pacing_pkey" PRIMARY KEY ("key")
);
