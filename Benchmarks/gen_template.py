#!/usr/bin/env python3
"""Writes a large SAM template for timing `tmrepo discover` and `tmrepo scan`:
N resources in groups of four (a function with an API event and a queue event, its table, its
queue, a bucket), wired by policies and environment variables like a real service.

    Benchmarks/gen_template.py 2000 > /tmp/big/template.yaml
"""
import sys


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    out = ["AWSTemplateFormatVersion: '2010-09-09'", "Transform: AWS::Serverless-2016-10-31", "Resources:",
           "  Api:", "    Type: AWS::Serverless::Api", "    Properties:", "      StageName: prod"]
    groups = max(1, (count - 1) // 4)
    for i in range(groups):
        out += [
            f"  Fn{i}:", "    Type: AWS::Serverless::Function", "    Properties:",
            f"      CodeUri: services/s{i}/", "      Handler: app.main", "      Runtime: python3.12",
            "      Environment:", "        Variables:", f"          TABLE: !Ref Table{i}", f"          BUCKET: !Ref Bucket{i}",
            "      Policies:", "        - DynamoDBCrudPolicy:", f"            TableName: !Ref Table{i}",
            "        - S3ReadPolicy:", f"            BucketName: !Ref Bucket{i}",
            "      Events:", "        Http:", "          Type: Api", "          Properties:", "            RestApiId: !Ref Api",
            f"            Path: /s{i}", "            Method: post",
            "        Work:", "          Type: SQS", "          Properties:", f"            Queue: !GetAtt Queue{i}.Arn",
            f"  Table{i}:", "    Type: AWS::DynamoDB::Table", "    Properties:", "      BillingMode: PAY_PER_REQUEST",
            f"  Queue{i}:", "    Type: AWS::SQS::Queue",
            f"  Bucket{i}:", "    Type: AWS::S3::Bucket",
        ]
    print("\n".join(out))


if __name__ == "__main__":
    main()
