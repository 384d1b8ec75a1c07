-- Reconciliation and webhooks v2 (DESIGN §12): reconcile's cursor per record type, and the webhook inbox, unique on
-- the event's meta.id so that a re-delivery is recognised.
CREATE TABLE "pipedrive_sync_cursors" (
    "record_type" TEXT NOT NULL,
    "cursor" TEXT NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pipedrive_sync_cursors_pkey" PRIMARY KEY ("record_type")
);

CREATE TABLE "pipedrive_sync_webhook_events" (
    "id" SERIAL NOT NULL,
    "event_id" TEXT NOT NULL,
    "record_type" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "pipedrive_id" INTEGER NOT NULL,
    "received_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pipedrive_sync_webhook_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "pipedrive_sync_webhook_events_event_id_key" ON "pipedrive_sync_webhook_events"("event_id");

-- CreateIndex
CREATE INDEX "pipedrive_sync_webhook_events_record_type_pipedrive_id_idx" ON "pipedrive_sync_webhook_events"("record_type", "pipedrive_id");
