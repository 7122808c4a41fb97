package dev.presign.gateway.http.operations;

import dev.presign.gateway.http.Call;
import dev.presign.gateway.http.Operation;
import dev.presign.gateway.http.PresignBody;
import dev.presign.gateway.http.ProblemException;
import dev.presign.gateway.http.Problems;
import dev.presign.gateway.policy.PolicyException;
import dev.presign.gateway.policy.UploadPlan;
import dev.presign.gateway.policy.UploadRequest;
import dev.presign.gateway.signing.CredentialsSnapshot.CredentialsUnavailableException;
import java.util.List;

/**
 * {@code POST /api/s3/presign/batch} {@code {files:[{filename, …}, …]}} → {@code {uploads:[…]}} in request order:
 * each file is read, decided and signed exactly as a single presign is, on its own. A refused file answers its
 * own problem (status, title, detail, rule or field) in its slot and the others are signed. A batch of n files
 * costs n requests of the caller's rate limit.
 */
public final class PresignBatch implements Operation {
  private final PresignPut single;
  private final int maxFiles;

  public PresignBatch(PresignPut single, int maxFiles) {
    this.single = single;
    this.maxFiles = maxFiles;
  }

  @Override
  public Object answer(Call call) {
    List<byte[]> files = PresignBody.files(call.body(), maxFiles);
    call.charge(files.size() - 1);
    StringBuilder json = new StringBuilder(files.size() * 700).append("{\"uploads\":[");
    for (int i = 0; i < files.size(); i++) {
      if (i > 0) {
        json.append(',');
      }
      byte[] file = files.get(i);
      UploadRequest upload = null;
      try {
        if (file == null) {
          throw PolicyException.invalid("files", "each file must be an object like {\"filename\":\"a.png\"}");
        }
        upload = PresignBody.parse(file);
        UploadPlan plan = single.plan(call, upload);
        json.append(single.sign(plan));
        call.auditItem(i, plan.key(), upload.size(), upload.contentType(), null);
      } catch (CredentialsUnavailableException e) {
        throw e; // the whole batch: nothing can be signed now
      } catch (RuntimeException e) {
        ProblemException problem = Problems.toProblem(e, -1);
        json.append(Problems.body(problem).encode());
        call.auditItem(i, null, upload == null ? null : upload.size(), upload == null ? null : upload.contentType(),
            problem);
      }
    }
    return json.append("]}").toString();
  }
}
