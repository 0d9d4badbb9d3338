# Example module for opentofu/provision.sh (not run by Paved's tests: providers download from
# the internet). A "bucket" as a local folder with an access-key file; swap the resources for
# aws_s3_bucket + aws_iam_access_key (or your cloud's) and keep the same variables and outputs.
variable "name" { type = string }
variable "quota_mb" { type = number }
variable "password" {
  type      = string
  sensitive = true
}

locals { root = "/var/lib/paved-buckets" }

resource "local_sensitive_file" "access_key" {
  filename        = "${local.root}/${var.name}/.paved-access-key"
  content         = "sha256:${sha256(var.password)}\n"
  file_permission = "0600"
  directory_permission = "0700"
}

resource "local_file" "meta" {
  filename        = "${local.root}/${var.name}/.paved-bucket.json"
  content         = jsonencode({ quotaMb = var.quota_mb })
  file_permission = "0600"
}

output "name" { value = var.name }
output "path" { value = "${local.root}/${var.name}" }
output "password" {
  value     = var.password
  sensitive = true
}
