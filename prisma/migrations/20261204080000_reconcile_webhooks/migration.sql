-- Reconciliation and webhooks v2 (DESIGN §12): reconcile's cursor per record type, and the webhook inbox, unique on
-- the event's meta.id so that a re-delivery is recognised.
CREATE TABLE "pipedrive_sync_cursors" (
    "record_type" TEXT NOT NULL PRIMARY KEY,
    "cursor" TEXT NOT NULL,
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE "pipedrive_sync_webhook_events" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "event_id" TEXT NOT NULL,
    "record_type" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "pipedrive_id" INTEGER NOT NULL,
    "received_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "pipedrive_sync_webhook_events_event_id_key" ON "pipedrive_sync_webhook_events"("event_id");

-- CreateIndex
CREATE INDEX "pipedrive_sync_webhook_events_record_type_pipedrive_id_idx" ON "pipedrive_sync_webhook_events"("record_type", "pipedrive_id");
