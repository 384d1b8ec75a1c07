-- CreateTable
CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "pipedrive_user_id" INTEGER,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "organizations" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "industry" TEXT,
    "country" TEXT,
    "address" TEXT,
    "pipedrive_org_id" INTEGER,
    "last_pipedrive_update" TIMESTAMP(3),
    "update_sync_status" TEXT NOT NULL DEFAULT 'SYNCED',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "organizations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contacts" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT,
    "phone" TEXT,
    "warmness_score" INTEGER NOT NULL DEFAULT 0,
    "organization_id" TEXT,
    "owner_id" TEXT,
    "pipedrive_person_id" INTEGER,
    "pipedrive_org_id" INTEGER,
    "last_pipedrive_update" TIMESTAMP(3),
    "update_sync_status" TEXT NOT NULL DEFAULT 'SYNCED',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "contacts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "activities" (
    "id" TEXT NOT NULL,
    "contact_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "note" TEXT,
    "due_date" TIMESTAMP(3),
    "all_day" BOOLEAN NOT NULL DEFAULT false,
    "done" BOOLEAN NOT NULL DEFAULT false,
    "pipedrive_activity_id" INTEGER,
    "replicated_to_pipedrive" BOOLEAN NOT NULL DEFAULT false,
    "pipedrive_sync_attempts" INTEGER NOT NULL DEFAULT 0,
    "last_pipedrive_sync_attempt" TIMESTAMP(3),
    "last_pipedrive_update" TIMESTAMP(3),
    "update_sync_status" TEXT NOT NULL DEFAULT 'SYNCED',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "activities_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pipedrive_sync_jobs" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "record_type" TEXT NOT NULL,
    "record_id" TEXT NOT NULL,
    "payload" TEXT NOT NULL DEFAULT '{}',
    "state" TEXT NOT NULL DEFAULT 'PENDING',
    "priority" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lease_owner" TEXT,
    "lease_until" TIMESTAMP(3),
    "last_error" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    "done_at" TIMESTAMP(3),

    CONSTRAINT "pipedrive_sync_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pipedrive_sync_snapshots" (
    "id" SERIAL NOT NULL,
    "record_type" TEXT NOT NULL,
    "local_id" TEXT,
    "pipedrive_id" INTEGER NOT NULL,
    "fields" TEXT NOT NULL,
    "remote_update_time" TIMESTAMP(3),
    "synced_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pipedrive_sync_snapshots_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pipedrive_sync_conflicts" (
    "id" SERIAL NOT NULL,
    "record_type" TEXT NOT NULL,
    "local_id" TEXT,
    "pipedrive_id" INTEGER NOT NULL,
    "fields" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'OPEN',
    "decision" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMP(3),

    CONSTRAINT "pipedrive_sync_conflicts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE INDEX "users_pipedrive_user_id_idx" ON "users"("pipedrive_user_id");

-- CreateIndex
CREATE INDEX "organizations_pipedrive_org_id_idx" ON "organizations"("pipedrive_org_id");

-- CreateIndex
CREATE INDEX "organizations_name_idx" ON "organizations"("name");

-- CreateIndex
CREATE INDEX "contacts_organization_id_idx" ON "contacts"("organization_id");

-- CreateIndex
CREATE INDEX "contacts_owner_id_idx" ON "contacts"("owner_id");

-- CreateIndex
CREATE INDEX "contacts_pipedrive_person_id_idx" ON "contacts"("pipedrive_person_id");

-- CreateIndex
CREATE UNIQUE INDEX "activities_pipedrive_activity_id_key" ON "activities"("pipedrive_activity_id");

-- CreateIndex
CREATE INDEX "activities_contact_id_idx" ON "activities"("contact_id");

-- CreateIndex
CREATE INDEX "activities_user_id_idx" ON "activities"("user_id");

-- CreateIndex
CREATE INDEX "activities_update_sync_status_idx" ON "activities"("update_sync_status");

-- CreateIndex
CREATE INDEX "pipedrive_sync_jobs_state_next_attempt_at_priority_idx" ON "pipedrive_sync_jobs"("state", "next_attempt_at", "priority");

-- CreateIndex
CREATE INDEX "pipedrive_sync_jobs_dedupe_key_state_idx" ON "pipedrive_sync_jobs"("dedupe_key", "state");

-- CreateIndex
CREATE INDEX "pipedrive_sync_jobs_state_lease_until_idx" ON "pipedrive_sync_jobs"("state", "lease_until");

-- CreateIndex
CREATE INDEX "pipedrive_sync_jobs_record_type_record_id_idx" ON "pipedrive_sync_jobs"("record_type", "record_id");

-- CreateIndex
CREATE INDEX "pipedrive_sync_snapshots_record_type_local_id_idx" ON "pipedrive_sync_snapshots"("record_type", "local_id");

-- CreateIndex
CREATE UNIQUE INDEX "pipedrive_sync_snapshots_record_type_pipedrive_id_key" ON "pipedrive_sync_snapshots"("record_type", "pipedrive_id");

-- CreateIndex
CREATE INDEX "pipedrive_sync_conflicts_status_created_at_idx" ON "pipedrive_sync_conflicts"("status", "created_at");

-- CreateIndex
CREATE INDEX "pipedrive_sync_conflicts_record_type_pipedrive_id_idx" ON "pipedrive_sync_conflicts"("record_type", "pipedrive_id");

-- AddForeignKey
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "activities" ADD CONSTRAINT "activities_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "activities" ADD CONSTRAINT "activities_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
